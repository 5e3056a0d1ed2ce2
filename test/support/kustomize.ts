/**
 * Renders deploy/k8s kustomizations for the manifest test: with `kubectl kustomize` when kubectl is installed (the
 * reference), else with `renderLite`, a small renderer of the kustomization fields deploy/k8s uses — and nothing
 * else: any other field is an error, so the fallback can never silently render something else than kubectl would.
 * (No npm package renders kustomize without downloading the kustomize binary; docs/operations.md, "Deploy".)
 * Supported: `resources` (files of YAML documents, directories holding a kustomization.yaml), `namespace`, `labels`
 * (`pairs`, on metadata only), `images` (`newName`, `newTag`), `replicas`, `patches` (JSON 6902 operations inline,
 * with a `target` of kind and name). When kubectl is there the test renders both ways and compares.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'replicas', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function renderWithKubectl(dir: string): K8sObject[] {
  const output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return YAML.parseAllDocuments(output).map((doc) => doc.toJS() as K8sObject);
}

function readDocuments(file: string): K8sObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** A JSON pointer's segments (RFC 6901). */
const pointer = (p: string) => p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

function applyOperation(target: any, op: { op: string; path: string; value?: unknown }) {
  const segments = pointer(op.path);
  const last = segments.pop()!;
  let parent = target;
  for (const segment of segments) {
    parent = parent?.[Array.isArray(parent) ? Number(segment) : segment];
    if (parent === undefined) throw new Error(`patch path ${op.path} does not exist`);
  }
  const isArray = Array.isArray(parent);
  const index = isArray ? (last === '-' ? parent.length : Number(last)) : undefined;
  switch (op.op) {
    case 'add':
      if (isArray) parent.splice(index!, 0, op.value);
      else parent[last] = op.value;
      return;
    case 'replace':
      if (isArray ? index! >= parent.length : !(last in parent)) throw new Error(`patch replace: ${op.path} does not exist`);
      if (isArray) parent[index!] = op.value;
      else parent[last] = op.value;
      return;
    case 'remove':
      if (isArray) parent.splice(index!, 1);
      else delete parent[last];
      return;
    default:
      throw new Error(`patch op ${op.op} is not supported by the lite renderer`);
  }
}

export function renderLite(dir: string): K8sObject[] {
  const kustomization = YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, any>;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new Error(`${dir}: kustomization fields not supported by the lite renderer: ${unsupported.join(', ')}`);
  const objects: K8sObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const target = path.join(dir, resource);
    objects.push(...(fs.statSync(target).isDirectory() ? renderLite(target) : readDocuments(target)));
  }
  for (const { pairs, includeSelectors, includeTemplates } of kustomization.labels ?? []) {
    if (includeSelectors || includeTemplates) throw new Error('labels: only metadata labels are supported by the lite renderer');
    for (const object of objects) object.metadata.labels = { ...object.metadata.labels, ...pairs };
  }
  for (const { name, newName, newTag, ...rest } of kustomization.images ?? []) {
    if (Object.keys(rest).length) throw new Error(`images: ${Object.keys(rest).join(', ')} not supported by the lite renderer`);
    for (const object of objects) {
      const spec = object.kind === 'CronJob' ? object.spec?.jobTemplate?.spec?.template?.spec : object.spec?.template?.spec;
      for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        const match = /^([^:@]+)(?::([^@]+))?$/.exec(container.image);
        if (!match || match[1] !== name) continue;
        container.image = `${newName ?? name}${newTag ? `:${newTag}` : match[2] ? `:${match[2]}` : ''}`;
      }
    }
  }
  for (const { name, count } of kustomization.replicas ?? []) {
    const found = objects.filter((object) => object.metadata.name === name && object.spec && 'replicas' in object.spec);
    if (!found.length) throw new Error(`replicas: nothing named ${name}`);
    for (const object of found) object.spec.replicas = count;
  }
  for (const { target, patch, ...rest } of kustomization.patches ?? []) {
    if (Object.keys(rest).length || !target?.kind || !target?.name) throw new Error('patches: only JSON 6902 patches with a kind and name target are supported');
    const operations = YAML.parse(patch) as { op: string; path: string; value?: unknown }[];
    if (!Array.isArray(operations)) throw new Error('patches: only JSON 6902 operations are supported by the lite renderer');
    const found = objects.filter((object) => object.kind === target.kind && object.metadata.name === target.name);
    if (!found.length) throw new Error(`patches: no ${target.kind} ${target.name}`);
    for (const object of found) for (const operation of operations) applyOperation(object, operation);
  }
  if (kustomization.namespace) {
    for (const object of objects) if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = kustomization.namespace;
  }
  return objects;
}

/** kubectl kustomize when installed, else the lite renderer. */
export function render(dir: string): { objects: K8sObject[]; renderer: 'kubectl' | 'lite' } {
  return kubectlAvailable() ? { objects: renderWithKubectl(dir), renderer: 'kubectl' } : { objects: renderLite(dir), renderer: 'lite' };
}

/** Objects in a stable order (kind, name), for comparing two renderings. */
export const sorted = (objects: K8sObject[]) =>
  [...objects].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
