/**
 * The deploy/ files (docs/operations.md, "Deploy"): generated files are current; the Kubernetes base and the example
 * overlay render (kubectl kustomize where installed, else test/support/kustomize.ts — both, and compared, when kubectl
 * is there), every object is valid against the Kubernetes schema (kubernetes-models), and the invariants an operator
 * relies on hold: a Deployment per service with probes, resources, non-root and secrets only by reference; ports as
 * platform/config.ts says; a disruption budget each, the router's autoscaler, the migration Job, the alert rules on
 * the metrics' names; the Dockerfile and docker-compose.yml agree.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { DEFAULT_PORTS, loadConfig, SUBGRAPH_NAMES } from '../platform/config';
import { shutdownDeadlineMs } from '../platform/process';
import { SERVICE_NAMES } from '../platform/service-keys';
import {
  alertRules,
  CONTRACT_METRICS,
  DEPLOYED_SUBGRAPHS,
  generatedFiles,
  metricsPortOf,
  portOf,
  SECRETS,
} from '../scripts/deploy-manifests';
import { kubectlAvailable, renderLite, renderWithKubectl, sorted, type K8sObject } from './support/kustomize';

const root = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN|_DATABASE_URL$|^DATABASE_URL$|^REDIS_URL$/;
const SERVICES = ['router', ...DEPLOYED_SUBGRAPHS];
const SECRET_NAMES = new Set([SECRETS.jwt, SECRETS.database, SECRETS.redis, SECRETS.payment, SECRETS.providers, ...SERVICES.map(SECRETS.keys)]);
const BUILD_OUTPUTS = ['dist/router/main.js', 'dist/scripts/start-subgraph.js', 'dist/scripts/migrate.js', 'dist/scripts/jobs.js'];

it('the generated files are current (npm run deploy:manifests)', () => {
  for (const [file, content] of Object.entries(generatedFiles())) expect({ file, content: read(file) }).toEqual({ file, content });
});

it('every configured subgraph is deployed, on its configured port', () => {
  for (const name of SUBGRAPH_NAMES) expect(DEPLOYED_SUBGRAPHS).toContain(name);
  for (const [name, port] of Object.entries(DEFAULT_PORTS)) expect(portOf(name)).toBe(port);
});

const renderings = [
  ['the base', 'deploy/k8s/base'],
  ['the example overlay', 'deploy/k8s/overlays/example'],
] as const;

describe.each(renderings)('Kubernetes: %s', (_what, dir) => {
  const withKubectl = kubectlAvailable();
  const objects: K8sObject[] = withKubectl ? renderWithKubectl(path.join(root, dir)) : renderLite(path.join(root, dir));
  const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const deployments = ofKind('Deployment');
  const configMap = ofKind('ConfigMap').find((object) => object.metadata.name === 'shop-config')!;
  const podSpecs = () => [...deployments.map((d) => d.spec.template.spec), ...ofKind('Job').map((j) => j.spec.template.spec)];

  (withKubectl ? it : it.skip)('renders the same with the lite renderer as with kubectl kustomize', () => {
    expect(sorted(renderLite(path.join(root, dir)))).toEqual(sorted(objects));
  });

  it('every object is valid against the Kubernetes schema', () => {
    for (const object of objects) {
      if (object.apiVersion === 'monitoring.coreos.com/v1') continue; // a CRD: checked below
      // kubernetes-models keeps one module per apiVersion and kind (core: v1/<Kind>).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Model = require(`kubernetes-models/${object.apiVersion}/${object.kind}`)[object.kind];
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  it('has a Deployment, a Service and a disruption budget per service, on the configured ports', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(SERVICES.map((s) => `shop-${s}`).sort());
    for (const service of SERVICES) {
      const deployment = deployments.find((d) => d.metadata.name === `shop-${service}`)!;
      const [container] = deployment.spec.template.spec.containers;
      expect(container.args).toEqual(service === 'router' ? ['dist/router/main.js'] : ['dist/scripts/start-subgraph.js', service]);
      expect(container.ports).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'http', containerPort: portOf(service) }), expect.objectContaining({ name: 'metrics', containerPort: metricsPortOf(service) })]),
      );
      const annotations = deployment.spec.template.metadata.annotations;
      expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(portOf(service) + 1000), 'prometheus.io/path': '/metrics' });
      expect(container.env).toContainEqual({ name: 'METRICS_PORT', value: String(portOf(service) + 1000) });
      // The listener binds loopback unless told otherwise: the scraper reaches the pod's address.
      expect(container.env).toContainEqual({ name: 'METRICS_HOST', value: '0.0.0.0' });
      const selector = deployment.spec.selector.matchLabels;
      const kubeService = ofKind('Service').find((s) => s.metadata.name === `shop-${service}`)!;
      expect(kubeService.spec.selector).toEqual(selector);
      expect(kubeService.spec.ports).toEqual([expect.objectContaining({ port: portOf(service), targetPort: 'http' })]);
      const budget = ofKind('PodDisruptionBudget').find((p) => p.metadata.name === `shop-${service}`)!;
      expect(budget.spec.selector.matchLabels).toEqual(selector);
      // A budget of one pod with one replica would block every node drain.
      expect(deployment.spec.replicas).toBeGreaterThan(budget.spec.minAvailable);
    }
    // Subgraphs find each other (and the router finds them) at their Services.
    for (const name of DEPLOYED_SUBGRAPHS) expect(configMap.data[`${name.toUpperCase()}_URL`]).toBe(`http://shop-${name}:${portOf(name)}/graphql`);
  });

  it('probes /livez (liveness, start-up) and /readyz (readiness) on the service port', () => {
    for (const deployment of deployments) {
      const [container] = deployment.spec.template.spec.containers;
      expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      // The probe waits longer than the service's own dependency checks.
      expect(container.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(Number(configMap.data.READINESS_TIMEOUT_MS));
    }
  });

  it('gives Kubernetes more time than a stop may take (SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + the rest)', () => {
    const config = loadConfig({ ...configMap.data, JWT_SECRET: 'x'.repeat(40) });
    expect(config.lifecycle.shutdownDelayMs).toBeGreaterThan(0);
    for (const deployment of deployments) {
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(shutdownDeadlineMs(config));
    }
  });

  it('sets resource requests and limits, runs as non-root without privileges', () => {
    for (const spec of podSpecs()) {
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const container of spec.containers) {
        for (const kind of ['requests', 'limits']) expect(Object.keys(container.resources[kind]).sort()).toEqual(['cpu', 'memory']);
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(container.image).toMatch(/supergraph/);
      }
    }
  });

  it('passes secrets only by reference, each process only its own keys', () => {
    for (const [key, value] of Object.entries(configMap.data as Record<string, string>)) {
      expect({ key, secretLooking: SECRET_NAME.test(key) }).toEqual({ key, secretLooking: false });
      expect(value).not.toMatch(/:\/\/[^/\s]*:[^@/\s]*@/); // no password in a URL
    }
    for (const spec of podSpecs()) {
      for (const container of spec.containers) {
        for (const env of container.env ?? []) {
          if (SECRET_NAME.test(env.name)) {
            expect({ name: env.name, value: env.value, ref: Boolean(env.valueFrom?.secretKeyRef) }).toEqual({ name: env.name, value: undefined, ref: true });
          }
          const ref = env.valueFrom?.secretKeyRef;
          if (ref) {
            expect(SECRET_NAMES.has(ref.name)).toBe(true);
            expect(ref.key).toBe(env.name);
          }
        }
      }
    }
    for (const deployment of deployments) {
      const service = deployment.metadata.name.replace(/^shop-/, '');
      const names: string[] = deployment.spec.template.spec.containers[0].env.map((env: { name: string }) => env.name);
      // Its own signing key, never another's; callers' keys for verification only; its own database role only.
      expect(names.filter((name) => name.startsWith('SERVICE_KEY_'))).toEqual([`SERVICE_KEY_${service.toUpperCase()}`]);
      expect(names.filter((name) => name.endsWith('DATABASE_URL'))).toEqual(service === 'router' ? [] : [`${service.toUpperCase()}_DATABASE_URL`]);
      if (service !== 'router') {
        for (const caller of SERVICE_NAMES.filter((name) => name !== service)) expect(names).toContain(`SERVICE_PEER_KEY_${caller.toUpperCase()}`);
      }
      expect(names).toEqual(expect.arrayContaining(['JWT_SECRET', 'REDIS_URL']));
    }
  });

  it('autoscales the router and migrates in a Job', () => {
    const [hpa] = ofKind('HorizontalPodAutoscaler');
    expect(ofKind('HorizontalPodAutoscaler')).toHaveLength(1);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-router' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const [job] = ofKind('Job');
    expect(job).toBeDefined();
    const [container] = job!.spec.template.spec.containers;
    expect(container.args).toEqual(['dist/scripts/migrate.js']);
    expect(container.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: SECRETS.database, key: 'DATABASE_URL' } } });
  });

  it('has alert rules for slow operations, error rate, outbox lag and dead letters, on the metrics of the contract', () => {
    const [rule] = ofKind('PrometheusRule');
    expect(rule.spec.groups).toEqual(alertRules());
    const rules = rule.spec.groups.flatMap((group: { rules: any[] }) => group.rules);
    for (const r of rules) {
      expect(r).toMatchObject({ alert: expect.any(String), expr: expect.any(String), for: expect.stringMatching(/^\d+[smh]$/) });
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary).toBeTruthy();
      for (const [metric] of r.expr.matchAll(/shop_[a-z_]+/g)) expect(CONTRACT_METRICS).toContain(metric.replace(/_(bucket|sum|count)$/, ''));
    }
    const used = (metric: string) => rules.some((r: { expr: string }) => r.expr.includes(metric));
    for (const metric of ['shop_http_request_duration_seconds_bucket', 'shop_http_requests_total', 'shop_outbox_oldest_age_seconds', 'shop_jobs_dead']) {
      expect(used(metric)).toBe(true);
    }
  });
});

it('the example overlay changes what it says (namespace, image, replicas, autoscaler)', () => {
  const objects = kubectlAvailable() ? renderWithKubectl(path.join(root, 'deploy/k8s/overlays/example')) : renderLite(path.join(root, 'deploy/k8s/overlays/example'));
  for (const object of objects) if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe('shop');
  const product = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop-product')!;
  expect(product.spec.replicas).toBe(3);
  expect(product.spec.template.spec.containers[0].image).toBe('registry.example.com/shop/supergraph:1.0.0');
  expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!.spec.maxReplicas).toBe(20);
});

it('the plain Prometheus rules file holds the same rules', () => {
  expect(YAML.parse(read('deploy/prometheus/alerts.yml'))).toEqual({ groups: alertRules() });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  const lines = dockerfile.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it('builds in stages and runs the compiled output with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(runtime).toMatch(/COPY --from=\w+ .*\/app\/dist \.\/dist/);
    expect(runtime).toMatch(/CMD \["dist\/router\/main\.js"\]/);
    expect(lines.join('\n')).not.toMatch(/\btsx\b|esbuild/);
  });

  it('runs as a numeric non-root user', () => {
    const users = runtime.match(/^USER (\S+)$/gm) ?? [];
    expect(users).toHaveLength(1);
    const [uid] = users[0]!.slice('USER '.length).split(':');
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it('every entry point the manifests run is one of the build outputs', () => {
    const commands = [
      ...Object.values(generatedFiles())
        .join('\n')
        .matchAll(/dist\/[\w/-]+\.js/g),
    ].map(([match]) => match);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(BUILD_OUTPUTS).toContain(command);
  });
});

describe('deploy/docker-compose.yml', () => {
  const compose = YAML.parse(read('deploy/docker-compose.yml')) as { services: Record<string, any>; volumes: Record<string, unknown> };
  const apps = Object.entries(compose.services).filter(([, s]) => (s.image ?? '').includes('SHOP_IMAGE'));

  it('runs PostgreSQL, Redis, the migrations, every subgraph, two routers and nginx', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['migrate', 'nginx', 'postgres', 'redis', 'router-1', 'router-2', ...DEPLOYED_SUBGRAPHS].sort());
    for (const name of DEPLOYED_SUBGRAPHS) {
      const service = compose.services[name];
      expect(service.command).toEqual(['dist/scripts/start-subgraph.js', name]);
      expect(service.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(service.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${portOf(name)}/readyz`);
      expect(service.environment[`${name.toUpperCase()}_DATABASE_URL`]).toMatch(new RegExp(`^postgres://shop_${name}:\\$\\{POSTGRES_PASSWORD`));
    }
    for (const name of ['router-1', 'router-2']) {
      expect(compose.services[name].command).toEqual(['dist/router/main.js']);
      expect(compose.services[name].healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${DEFAULT_PORTS.router}/readyz`);
      expect(compose.services[name].environment.TRUST_PROXY_HOPS).toBe('1');
    }
    expect(compose.services.migrate.command).toEqual(['dist/scripts/migrate.js']);
  });

  it('runs every application container as non-root, read-only, with secrets from the environment or env files only', () => {
    for (const [name, service] of apps) {
      expect({ name, user: service.user, readOnly: service.read_only }).toEqual({ name, user: '1000:1000', readOnly: true });
      for (const [key, value] of Object.entries(service.environment as Record<string, string>)) {
        // A secret is interpolated (${VAR}) from deploy/.env, never written here.
        if (SECRET_NAME.test(key) && key !== 'REDIS_URL') expect({ key, value }).toEqual({ key, value: expect.stringMatching(/^\$\{|:\$\{[A-Z_]+:\?/) });
        expect(value).not.toMatch(/:\/\/[^/\s$]*:[^$@/\s]+@/);
      }
      if (name !== 'migrate') expect(service.env_file).toEqual([`secrets/${name.replace(/-\d$/, '')}.env`]);
    }
  });

  it('balances the two routers with nginx, WebSockets included', () => {
    const nginx = read('deploy/nginx/nginx.conf');
    expect(compose.services.nginx.volumes).toContain('./nginx/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(nginx).toContain(`server router-1:${DEFAULT_PORTS.router}`);
    expect(nginx).toContain(`server router-2:${DEFAULT_PORTS.router}`);
    expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
    expect(nginx).not.toMatch(/non_idempotent/);
  });

  it('secret files stay out of git and out of the image', () => {
    expect(read('deploy/.gitignore').split('\n')).toEqual(expect.arrayContaining(['.env', 'secrets/']));
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['deploy/.env', 'deploy/secrets', 'node_modules', 'dist']));
  });
});
