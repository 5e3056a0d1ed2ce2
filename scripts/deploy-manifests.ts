/**
 * `npm run deploy:manifests`: writes the generated deployment files under deploy/ from the one list of services
 * (platform/config.ts SUBGRAPH_NAMES and DEFAULT_PORTS, platform/service-keys.ts SERVICE_NAMES), so ports, secrets
 * and probes cannot drift between services:
 * - deploy/k8s/base/*.yaml: a Deployment, Service and PodDisruptionBudget per service (HorizontalPodAutoscaler for
 *   the router), the ConfigMap, the migration Job, the PrometheusRule;
 * - deploy/prometheus/alerts.yml: the same alert rules for a Prometheus without the operator;
 * - deploy/docker-compose.yml: the whole stack on one host.
 * Hand-written: deploy/Dockerfile, deploy/nginx/nginx.conf, deploy/k8s/base/kustomization.yaml and the overlays.
 * `-- --check` fails when a file differs from what would be written (test/deploy-manifests.test.ts runs it).
 * See docs/operations.md, "Deploy".
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { DEFAULT_PORTS, SUBGRAPH_NAMES } from '../platform/config';
import { SERVICE_NAMES } from '../platform/service-keys';

const ROOT = path.resolve(__dirname, '..');

/** The open platform's subgraph (docs/architecture.md: port 4007), until it is in SUBGRAPH_NAMES everywhere. */
const OPEN = { name: 'open', port: 4007 };

/** Subgraphs deployed: every one of config's, and the open platform's. */
export const DEPLOYED_SUBGRAPHS: readonly string[] = [...new Set<string>([...SUBGRAPH_NAMES, OPEN.name])];
/** Services with a signing key of their own (router and every subgraph). */
export const KEYED_SERVICES: readonly string[] = [...new Set<string>([...SERVICE_NAMES, ...DEPLOYED_SUBGRAPHS])];

export function portOf(service: string): number {
  const port = (DEFAULT_PORTS as Record<string, number>)[service] ?? (service === OPEN.name ? OPEN.port : undefined);
  if (!port) throw new Error(`no port for ${service}`);
  return port;
}

/** Each process serves Prometheus metrics on its main port + 1000 (METRICS_PORT; docs/operations.md, "Metrics"). */
export const metricsPortOf = (service: string) => portOf(service) + 1000;

export const IMAGE = 'shop-supergraph';
/** The image's user (deploy/Dockerfile `USER 1000:1000`, the `node` user of the official image). */
export const RUN_AS = 1000;

/** SIGTERM: /readyz 503 for SHUTDOWN_DELAY_MS, then in-flight requests get SHUTDOWN_GRACE_MS; plus 5 s for the rest. */
const SHUTDOWN_DELAY_MS = 5000;
const SHUTDOWN_GRACE_MS = 20_000;
const TERMINATION_GRACE_SECONDS = Math.ceil((SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + 5000) / 1000) + 10;

/**
 * Kubernetes Secrets the manifests refer to (created out of band, never in git: docs/operations.md, "Secrets").
 * - shop-jwt: JWT_SECRET (every process: production refuses to start without it).
 * - shop-keys-<service>: that service's SERVICE_KEY_<SELF> and SERVICE_PEER_KEY_<CALLER> for every other service
 *   (what `npm run service-keys -- <service>` prints): no process holds another's signing key.
 * - shop-database: DATABASE_URL (owner; the migration Job only) and <NAME>_DATABASE_URL (each subgraph's own role).
 * - shop-redis: REDIS_URL.
 * - shop-payment / shop-providers: provider credentials, each optional (unset: the provider is off).
 */
export const SECRETS = {
  jwt: 'shop-jwt',
  keys: (service: string) => `shop-keys-${service}`,
  database: 'shop-database',
  redis: 'shop-redis',
  payment: 'shop-payment',
  providers: 'shop-providers',
};

/** Provider credentials by the service that uses them (platform/config.ts, README env table). */
const PROVIDER_SECRETS: Record<string, { secret: string; keys: string[] }> = {
  payment: {
    secret: SECRETS.payment,
    keys: [
      'WECHATPAY_APPID',
      'WECHATPAY_MCHID',
      'WECHATPAY_MERCHANT_SERIAL',
      'WECHATPAY_MERCHANT_PRIVATE_KEY',
      'WECHATPAY_APIV3_KEY',
      'WECHATPAY_PLATFORM_PUBLIC_KEY',
      'WECHATPAY_PLATFORM_SERIAL',
      'ALIPAY_APP_ID',
      'ALIPAY_PRIVATE_KEY',
      'ALIPAY_PUBLIC_KEY',
    ],
  },
  user: {
    secret: SECRETS.providers,
    keys: ['WECHAT_APPID', 'WECHAT_SECRET', 'TENCENT_SMS_SECRET_ID', 'TENCENT_SMS_SECRET_KEY', 'TENCENT_SMS_SDK_APP_ID', 'TENCENT_SMS_SIGN_NAME', 'TENCENT_SMS_TEMPLATE_ID'],
  },
  order: { secret: SECRETS.providers, keys: ['KUAIDI100_SALT', 'KUAIDI100_KEY'] },
};

type Env = { name: string; value?: string; valueFrom?: unknown };
const secretRef = (name: string, secret: string, key = name, optional = false): Env => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key, ...(optional ? { optional: true } : {}) } },
});

const labelsOf = (service: string) => ({
  'app.kubernetes.io/name': `shop-${service}`,
  'app.kubernetes.io/part-of': 'shop',
  'app.kubernetes.io/component': service === 'router' ? 'router' : service === 'migrate' ? 'migration' : 'subgraph',
});
const selectorOf = (service: string) => ({ 'app.kubernetes.io/name': `shop-${service}` });

/** Heap bound ~75% of the memory limit: V8 collects before the kernel kills. */
const RESOURCES = {
  router: { requests: { cpu: '250m', memory: '384Mi' }, limits: { cpu: '2', memory: '768Mi' }, heapMb: 576 },
  subgraph: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' }, heapMb: 384 },
  migrate: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' }, heapMb: 384 },
};

const podSecurityContext = {
  runAsNonRoot: true,
  runAsUser: RUN_AS,
  runAsGroup: RUN_AS,
  fsGroup: RUN_AS,
  seccompProfile: { type: 'RuntimeDefault' },
};
const containerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

function serviceEnv(service: string): Env[] {
  const others = KEYED_SERVICES.filter((name) => name !== service);
  const env: Env[] = [
    { name: 'NODE_OPTIONS', value: `--max-old-space-size=${(service === 'router' ? RESOURCES.router : RESOURCES.subgraph).heapMb}` },
    { name: 'METRICS_PORT', value: String(metricsPortOf(service)) },
    // The metrics listener binds loopback unless told otherwise; Prometheus scrapes the pod's address.
    { name: 'METRICS_HOST', value: '0.0.0.0' },
    secretRef('JWT_SECRET', SECRETS.jwt),
    secretRef(`SERVICE_KEY_${service.toUpperCase()}`, SECRETS.keys(service)),
    // The router verifies only operators' /stats calls signed as router (its own key); a subgraph every caller.
    ...(service === 'router' ? [] : others.map((caller) => secretRef(`SERVICE_PEER_KEY_${caller.toUpperCase()}`, SECRETS.keys(service)))),
    ...(service === 'router' ? [] : [secretRef(`${service.toUpperCase()}_DATABASE_URL`, SECRETS.database)]),
    secretRef('REDIS_URL', SECRETS.redis),
  ];
  const providers = PROVIDER_SECRETS[service];
  if (providers) env.push(...providers.keys.map((key) => secretRef(key, providers.secret, key, true)));
  return env;
}

function probe(path: string, periodSeconds: number, failureThreshold: number, timeoutSeconds: number) {
  return { httpGet: { path, port: 'http' }, periodSeconds, failureThreshold, timeoutSeconds };
}

function deployment(service: string) {
  const resources = service === 'router' ? RESOURCES.router : RESOURCES.subgraph;
  const args = service === 'router' ? ['dist/router/main.js'] : ['dist/scripts/start-subgraph.js', service];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `shop-${service}`, labels: labelsOf(service) },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorOf(service) },
      // A new pod must be ready before an old one goes: capacity never drops during a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labelsOf(service),
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(metricsPortOf(service)),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorOf(service) } },
          ],
          containers: [
            {
              name: service,
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args,
              ports: [
                { name: 'http', containerPort: portOf(service), protocol: 'TCP' },
                { name: 'metrics', containerPort: metricsPortOf(service), protocol: 'TCP' },
              ],
              envFrom: [{ configMapRef: { name: 'shop-config' } }],
              env: serviceEnv(service),
              // Start-up includes migrations (no-ops after the Job) and, on the router, loading the supergraph.
              startupProbe: probe('/livez', 2, 60, 2),
              livenessProbe: probe('/livez', 10, 3, 2),
              readinessProbe: probe('/readyz', 5, 2, 3),
              resources: { requests: resources.requests, limits: resources.limits },
              securityContext: containerSecurityContext,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

function kubeService(service: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `shop-${service}`, labels: labelsOf(service) },
    spec: {
      type: 'ClusterIP',
      selector: selectorOf(service),
      ports: [{ name: 'http', port: portOf(service), targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function disruptionBudget(service: string) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: `shop-${service}`, labels: labelsOf(service) },
    spec: { minAvailable: 1, selector: { matchLabels: selectorOf(service) } },
  };
}

function routerAutoscaler() {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'shop-router', labels: labelsOf('router') },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-router' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      // Scale down slowly: each removed router closes its subscription sockets (clients reconnect).
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    },
  };
}

function configMap() {
  const data: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    // Behind one proxy (the ingress controller); raise it in an overlay for more.
    TRUST_PROXY_HOPS: '1',
    LOG_LEVEL: 'info',
    SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
    SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    READINESS_TIMEOUT_MS: '1000',
    // Where payment providers and carriers call back (the public origin): set in the overlay.
    PAYMENT_PUBLIC_URL: 'https://shop.example.com',
  };
  for (const name of DEPLOYED_SUBGRAPHS) data[`${name.toUpperCase()}_URL`] = `http://shop-${name}:${portOf(name)}/graphql`;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-config', labels: { 'app.kubernetes.io/part-of': 'shop' } }, data };
}

function migrationJob() {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'shop-migrate',
      labels: labelsOf('migrate'),
      annotations: { 'shop.example.com/note': 'Run before each rollout (docs/operations.md, "Deploy"): a Job is immutable, delete it or rename it per release.' },
    },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 900,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: labelsOf('migrate') },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          containers: [
            {
              name: 'migrate',
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: ['dist/scripts/migrate.js'],
              envFrom: [{ configMapRef: { name: 'shop-config' } }],
              env: [
                { name: 'NODE_OPTIONS', value: `--max-old-space-size=${RESOURCES.migrate.heapMb}` },
                secretRef('JWT_SECRET', SECRETS.jwt),
                // The owner's URL: it creates each subgraph's role and schema, then migrates each.
                secretRef('DATABASE_URL', SECRETS.database),
              ],
              resources: { requests: RESOURCES.migrate.requests, limits: RESOURCES.migrate.limits },
              securityContext: containerSecurityContext,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

/** Metric names the rules use: the metrics' contract (docs/operations.md, "Metrics"). */
export const CONTRACT_METRICS = [
  'shop_http_request_duration_seconds',
  'shop_http_requests_total',
  'shop_subgraph_fetch_errors_total',
  'shop_outbox_oldest_age_seconds',
  'shop_jobs_dead',
  'shop_stream_pending',
];

export function alertRules() {
  const rule = (alert: string, expr: string, forDuration: string, severity: 'warning' | 'critical', summary: string, description: string) => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity, team: 'shop' },
    annotations: { summary, description, runbook_url: 'docs/operations.md#alerts' },
  });
  return [
    {
      name: 'shop.rules',
      rules: [
        rule(
          'ShopSlowOperations',
          'histogram_quantile(0.95, sum by (le, service, operation) (rate(shop_http_request_duration_seconds_bucket{kind!="subscription"}[5m]))) > 1',
          '10m',
          'warning',
          'p95 of {{ $labels.operation }} on {{ $labels.service }} is above 1 s',
          'The slowest 5% of {{ $labels.operation }} took more than {{ $value | humanizeDuration }} for 10 minutes.',
        ),
        rule(
          'ShopHighErrorRate',
          'sum by (service) (rate(shop_http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(shop_http_requests_total[5m])) > 0.05',
          '5m',
          'critical',
          'More than 5% of requests to {{ $labels.service }} fail',
          '{{ $value | humanizePercentage }} of requests to {{ $labels.service }} answered 5xx over 5 minutes.',
        ),
        rule(
          'ShopSubgraphFetchErrors',
          'sum by (subgraph) (rate(shop_subgraph_fetch_errors_total[5m])) > 1',
          '5m',
          'warning',
          'The routers fail to reach {{ $labels.subgraph }}',
          'More than one failed fetch per second to {{ $labels.subgraph }} for 5 minutes (timeouts, refused connections, 5xx).',
        ),
        rule(
          'ShopOutboxLag',
          'max by (service) (shop_outbox_oldest_age_seconds) > 60',
          '5m',
          'warning',
          'Events of {{ $labels.service }} wait in its outbox',
          'The oldest unpublished event of {{ $labels.service }} is {{ $value | humanizeDuration }} old: is Redis or the relay down?',
        ),
        rule(
          'ShopOutboxStuck',
          'max by (service) (shop_outbox_oldest_age_seconds) > 900',
          '5m',
          'critical',
          'The outbox of {{ $labels.service }} is not relayed',
          'Events of {{ $labels.service }} are more than 15 minutes late: orders, stock and payments stop following each other.',
        ),
        rule(
          'ShopDeadLetters',
          'max by (queue) (shop_jobs_dead) > 0',
          '1m',
          'warning',
          'Dead-lettered jobs in {{ $labels.queue }}',
          '{{ $value }} jobs of {{ $labels.queue }} failed every attempt: `npm run jobs -- dead`, fix, then `npm run jobs -- retry`.',
        ),
        rule(
          'ShopStreamBacklog',
          'max by (stream, group) (shop_stream_pending) > 1000',
          '10m',
          'warning',
          'Consumer group {{ $labels.group }} falls behind on {{ $labels.stream }}',
          '{{ $value }} entries of {{ $labels.stream }} are delivered and not acknowledged by {{ $labels.group }} for 10 minutes.',
        ),
      ],
    },
  ];
}

function prometheusRule() {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'shop-alerts', labels: { 'app.kubernetes.io/part-of': 'shop', prometheus: 'k8s', role: 'alert-rules' } },
    spec: { groups: alertRules() },
  };
}

// ---- docker compose ----

function composeService(service: string, replica?: number) {
  const port = portOf(service);
  const name = replica ? `${service}-${replica}` : service;
  const command = service === 'router' ? ['dist/router/main.js'] : ['dist/scripts/start-subgraph.js', service];
  const environment: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    LOG_LEVEL: '${LOG_LEVEL:-info}',
    METRICS_PORT: String(metricsPortOf(service)),
    // Loopback by default; the compose network's Prometheus scrapes the container's address (never published).
    METRICS_HOST: '0.0.0.0',
    // nginx refuses nothing while an instance drains; it retries a refused connection on the other one at once.
    SHUTDOWN_DELAY_MS: '0',
    SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
    JWT_SECRET: '${JWT_SECRET:?run deploy/make-secrets.sh}',
    REDIS_URL: 'redis://redis:6379',
    PAYMENT_PUBLIC_URL: '${PAYMENT_PUBLIC_URL:-http://localhost:8080}',
  };
  if (service === 'router') environment.TRUST_PROXY_HOPS = '1';
  else environment[`${service.toUpperCase()}_DATABASE_URL`] = `postgres://shop_${service}:\${POSTGRES_PASSWORD:?run deploy/make-secrets.sh}@postgres:5432/shop`;
  for (const other of DEPLOYED_SUBGRAPHS) if (other !== service) environment[`${other.toUpperCase()}_URL`] = `http://${other}:${portOf(other)}/graphql`;
  const dependsOn: Record<string, { condition: string }> =
    service === 'router'
      ? Object.fromEntries(DEPLOYED_SUBGRAPHS.map((name) => [name, { condition: 'service_healthy' }]))
      : { migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } };
  return [
    name,
    {
      image: '${SHOP_IMAGE:-shop-supergraph:local}',
      command,
      user: `${RUN_AS}:${RUN_AS}`,
      read_only: true,
      tmpfs: ['/tmp'],
      restart: 'unless-stopped',
      stop_grace_period: `${TERMINATION_GRACE_SECONDS}s`,
      // The service's own key and its callers' verification keys (npm run service-keys -- <service>).
      env_file: [`secrets/${service}.env`],
      environment,
      depends_on: dependsOn,
      healthcheck: {
        test: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${port}/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: '5s',
        timeout: '3s',
        retries: 3,
        start_period: '60s',
      },
      expose: [String(port), String(metricsPortOf(service))],
    },
  ] as const;
}

export function dockerCompose() {
  const services: Record<string, unknown> = {
    postgres: {
      image: 'postgres:16-bookworm',
      restart: 'unless-stopped',
      environment: { POSTGRES_DB: 'shop', POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:?run deploy/make-secrets.sh}' },
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      healthcheck: { test: ['CMD', 'pg_isready', '-U', 'postgres', '-d', 'shop'], interval: '5s', timeout: '3s', retries: 10 },
    },
    redis: {
      image: 'redis:7-bookworm',
      restart: 'unless-stopped',
      command: ['redis-server', '--appendonly', 'yes'],
      volumes: ['redis-data:/data'],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '3s', retries: 10 },
    },
    migrate: {
      build: { context: '..', dockerfile: 'deploy/Dockerfile' },
      image: '${SHOP_IMAGE:-shop-supergraph:local}',
      command: ['dist/scripts/migrate.js'],
      user: `${RUN_AS}:${RUN_AS}`,
      read_only: true,
      tmpfs: ['/tmp'],
      environment: {
        NODE_ENV: 'production',
        JWT_SECRET: '${JWT_SECRET:?run deploy/make-secrets.sh}',
        // The owner: creates each subgraph's role (shop_<name>, same password) and schema, then migrates.
        DATABASE_URL: 'postgres://postgres:${POSTGRES_PASSWORD:?run deploy/make-secrets.sh}@postgres:5432/shop',
      },
      depends_on: { postgres: { condition: 'service_healthy' } },
      restart: 'no',
    },
  };
  for (const name of DEPLOYED_SUBGRAPHS) {
    const [key, value] = composeService(name);
    services[key] = value;
  }
  for (const replica of [1, 2]) {
    const [key, value] = composeService('router', replica);
    services[key] = value;
  }
  services.nginx = {
    image: 'nginx:1.27-bookworm',
    restart: 'unless-stopped',
    ports: ['${SHOP_HTTP_PORT:-8080}:8080'],
    volumes: ['./nginx/nginx.conf:/etc/nginx/nginx.conf:ro'],
    depends_on: { 'router-1': { condition: 'service_healthy' }, 'router-2': { condition: 'service_healthy' } },
    healthcheck: { test: ['CMD', 'curl', '-fsS', 'http://127.0.0.1:8080/nginx-health'], interval: '5s', timeout: '3s', retries: 3 },
  };
  return { name: 'shop', services, volumes: { 'postgres-data': {}, 'redis-data': {} } };
}

// ---- files ----

const HEADER = '# Generated by `npm run deploy:manifests` (scripts/deploy-manifests.ts): edit the script, not this file.\n';

function documents(objects: unknown[]): string {
  return HEADER + objects.map((object) => YAML.stringify(object, { lineWidth: 0 })).join('---\n');
}

/** Every generated file, by path relative to the repository root. */
export function generatedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const service of ['router', ...DEPLOYED_SUBGRAPHS]) {
    const objects: unknown[] = [deployment(service), kubeService(service), disruptionBudget(service)];
    if (service === 'router') objects.push(routerAutoscaler());
    files[`deploy/k8s/base/${service}.yaml`] = documents(objects);
  }
  files['deploy/k8s/base/config.yaml'] = documents([configMap()]);
  files['deploy/k8s/base/migrate-job.yaml'] = documents([migrationJob()]);
  files['deploy/k8s/base/prometheus-rule.yaml'] = documents([prometheusRule()]);
  files['deploy/prometheus/alerts.yml'] = HEADER + YAML.stringify({ groups: alertRules() }, { lineWidth: 0 });
  files['deploy/docker-compose.yml'] = HEADER + YAML.stringify(dockerCompose(), { lineWidth: 0 });
  return files;
}

function main(args: string[]) {
  const check = args.includes('--check');
  const stale: string[] = [];
  for (const [file, content] of Object.entries(generatedFiles())) {
    const target = path.join(ROOT, file);
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
    if (current === content) continue;
    if (check) stale.push(file);
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
      console.log(`wrote ${file}`);
    }
  }
  if (stale.length) {
    console.error(`Out of date (run npm run deploy:manifests): ${stale.join(', ')}`);
    process.exit(1);
  }
}

if (require.main === module) main(process.argv.slice(2));
