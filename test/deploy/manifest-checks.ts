import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';

/**
 * Schema validation (the OpenAPI schemas bundled in `kubernetes-models`, and the prometheus-operator
 * CRD schema in `@kubernetes-models/prometheus-operator`) and the cross-checks a schema cannot make:
 * that the objects point at each other correctly.
 */
const MODELS: Record<string, new (data?: any) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
};

/** Throws unless `doc` is a kind we know and valid against its schema. */
export function validateDocument(doc: any): void {
  const Model = MODELS[`${doc?.apiVersion}/${doc?.kind}`];
  if (!Model) throw new Error(`no schema for ${doc?.apiVersion} ${doc?.kind}`);
  new Model(doc).validate();
}

export function parseDocuments(text: string): any[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('; '));
    return d.toJS();
  });
}

const SECRET_LOOKING = /SECRET|TOKEN|PASSWORD|API_KEY|_KEY$|DATABASE_URL|PRIVATE/;
const PORT_NAME = /^(?=.{1,15}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export interface Expect {
  ingressPort: number;
  metricsPort: number;
  temporalMetricsPort: number;
  /** Metric names the prometheus-adapter rules define. */
  adapterMetrics: string[];
  /** Deployments another autoscaler (KEDA) owns: no HorizontalPodAutoscaler of ours. */
  scaledElsewhere?: string[];
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function podsOf(manifests: any[]): { owner: any; template: any }[] {
  return manifests
    .filter((d) => d.kind === 'Deployment' || d.kind === 'Job')
    .map((owner) => ({ owner, template: owner.spec.template }));
}

/** The container port a probe or Service names (by name or number), if the pod declares it. */
function resolvePort(containers: any[], port: unknown): number | undefined {
  for (const c of containers)
    for (const p of c.ports ?? []) if (p.name === port || p.containerPort === port) return p.containerPort;
  return undefined;
}

/**
 * Problems with how the manifests fit together. `manifests`: every document applied; `secrets`:
 * the example Secrets (their keys are what the Secret must hold).
 */
export function crossCheck(manifests: any[], secrets: any[], expect: Expect): string[] {
  const problems: string[] = [];
  const problem = (doc: any, what: string) => problems.push(`${doc.kind} ${doc.metadata?.name}: ${what}`);
  const pods = podsOf(manifests);
  const deployments = manifests.filter((d) => d.kind === 'Deployment');
  const configMaps = new Set(manifests.filter((d) => d.kind === 'ConfigMap').map((d) => d.metadata.name));
  const secretKeys = new Map<string, Set<string>>(
    secrets.map((s) => [s.metadata.name, new Set(Object.keys({ ...s.data, ...s.stringData }))]),
  );

  for (const d of manifests)
    if (d.metadata?.namespace !== manifests[0].metadata?.namespace) problem(d, 'in another namespace');

  for (const { owner, template } of pods) {
    const spec = template.spec;
    const containers: any[] = spec.containers;
    if (owner.kind === 'Deployment' && !matches(owner.spec.selector?.matchLabels, template.metadata?.labels))
      problem(owner, 'selector does not match its pod template labels');
    if (owner.kind === 'Deployment' && owner.spec.replicas !== undefined)
      problem(owner, 'sets replicas: the autoscaler owns the count');
    if (spec.securityContext?.runAsNonRoot !== true || !Number.isInteger(spec.securityContext?.runAsUser))
      problem(owner, 'pod not runAsNonRoot with a numeric runAsUser (the image names its user)');
    if (!(spec.terminationGracePeriodSeconds >= 30)) problem(owner, 'terminationGracePeriodSeconds under 30');
    if (spec.automountServiceAccountToken !== false) problem(owner, 'mounts a service account token it never uses');
    const mountable = new Map<string, any>((spec.volumes ?? []).map((v: any) => [v.name, v]));
    for (const v of spec.volumes ?? []) {
      if (!v.secret) continue;
      const keys = secretKeys.get(v.secret.secretName);
      if (!keys) problem(owner, `volume ${v.name} names Secret ${v.secret.secretName}, not in the example Secrets`);
      for (const item of v.secret.items ?? [])
        if (keys && !keys.has(item.key)) problem(owner, `volume ${v.name} reads key ${item.key} the Secret lacks`);
    }
    for (const c of containers) {
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) problem(owner, `${c.name}: root filesystem writable`);
      if (sc.allowPrivilegeEscalation !== false) problem(owner, `${c.name}: privilege escalation allowed`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problem(owner, `${c.name}: capabilities not all dropped`);
      for (const kind of ['requests', 'limits'])
        for (const r of ['cpu', 'memory']) if (!c.resources?.[kind]?.[r]) problem(owner, `${c.name}: no ${r} ${kind}`);
      for (const p of c.ports ?? [])
        if (!PORT_NAME.test(p.name ?? '')) problem(owner, `${c.name}: port name ${p.name} not an IANA service name`);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const target = c[probe]?.httpGet ?? c[probe]?.tcpSocket;
        if (target && resolvePort(containers, target.port) === undefined)
          problem(owner, `${c.name}: ${probe} port ${JSON.stringify(target.port)} is not a port of the container`);
      }
      for (const m of c.volumeMounts ?? [])
        if (!mountable.has(m.name)) problem(owner, `${c.name}: mounts undeclared volume ${m.name}`);
      for (const from of c.envFrom ?? [])
        if (from.configMapRef && !configMaps.has(from.configMapRef.name))
          problem(owner, `${c.name}: envFrom ConfigMap ${from.configMapRef.name} not rendered`);
      const env = new Map<string, any>((c.env ?? []).map((e: any) => [e.name, e]));
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          const keys = secretKeys.get(ref.name);
          if (!keys) problem(owner, `${c.name}: ${e.name} from Secret ${ref.name}, not in the example Secrets`);
          else if (!keys.has(ref.key)) problem(owner, `${c.name}: ${e.name} from key ${ref.key} the Secret lacks`);
        } else if (SECRET_LOOKING.test(e.name))
          problem(owner, `${c.name}: ${e.name} given in clear, not from a Secret`);
      }
      for (const [name, port] of [
        ['PORT', expect.ingressPort],
        ['METRICS_PORT', expect.metricsPort],
        ['TEMPORAL_METRICS_PORT', expect.temporalMetricsPort],
      ] as const) {
        const e = env.get(name);
        if (e && (e.value !== String(port) || resolvePort([c], port) === undefined))
          problem(owner, `${c.name}: ${name}=${e.value} is not the declared container port ${port}`);
      }
      if (env.has('METRICS_PORT') && env.get('METRICS_HOST')?.value !== '0.0.0.0')
        problem(owner, `${c.name}: metrics bound where Prometheus cannot reach them`);
    }
    const annotations = template.metadata?.annotations ?? {};
    if (owner.kind === 'Deployment') {
      if (annotations['prometheus.io/scrape'] !== 'true') problem(owner, 'pods not annotated for scraping');
      if (resolvePort(containers, Number(annotations['prometheus.io/port'])) === undefined)
        problem(owner, `prometheus.io/port ${annotations['prometheus.io/port']} is not a container port`);
    }
  }

  // The ingress: reachable on 0.0.0.0, ready on /readyz of its HTTP port, and drained on SIGTERM.
  const ingress = deployments.find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'ingress');
  if (!ingress) problems.push('no ingress Deployment');
  else {
    const [c] = ingress.spec.template.spec.containers;
    const env = new Map<string, any>((c.env ?? []).map((e: any) => [e.name, e.value]));
    if (env.get('HOST') !== '0.0.0.0') problem(ingress, 'HOST is not 0.0.0.0 (unreachable in a pod)');
    if (c.readinessProbe?.httpGet?.path !== '/readyz?for=webhooks')
      problem(ingress, 'readiness probe is not GET /readyz?for=webhooks');
    if (resolvePort([c], c.readinessProbe?.httpGet?.port) !== expect.ingressPort)
      problem(ingress, `readiness probe not on the ingress port ${expect.ingressPort}`);
    if (!c.livenessProbe?.httpGet) problem(ingress, 'no liveness probe');
    const preStop = Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    if (!(ingress.spec.template.spec.terminationGracePeriodSeconds > preStop + 25))
      problem(ingress, 'terminationGracePeriodSeconds does not cover preStop plus the 25 s shutdown bound');
  }

  for (const svc of manifests.filter((d) => d.kind === 'Service')) {
    const targets = pods.filter((p) => matches(svc.spec.selector, p.template.metadata?.labels));
    if (targets.length !== 1) problem(svc, `selector matches ${targets.length} workloads' pods, not one`);
    for (const p of svc.spec.ports ?? [])
      for (const t of targets)
        if (resolvePort(t.template.spec.containers, p.targetPort ?? p.port) === undefined)
          problem(svc, `targetPort ${p.targetPort} is not a port of ${t.owner.metadata.name}`);
  }

  for (const ing of manifests.filter((d) => d.kind === 'Ingress'))
    for (const rule of ing.spec.rules ?? [])
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend.service;
        const svc = manifests.find((d) => d.kind === 'Service' && d.metadata.name === backend.name);
        if (!svc) problem(ing, `backend Service ${backend.name} not rendered`);
        else if (!svc.spec.ports.some((p: any) => p.name === backend.port.name || p.port === backend.port.number))
          problem(ing, `backend port ${JSON.stringify(backend.port)} not on Service ${backend.name}`);
      }

  for (const d of deployments) {
    const pdbs = manifests.filter(
      (p) => p.kind === 'PodDisruptionBudget' && matches(p.spec.selector?.matchLabels, d.spec.template.metadata.labels),
    );
    if (pdbs.length !== 1) problem(d, `${pdbs.length} PodDisruptionBudgets select its pods, not one`);
    const hpas = manifests.filter(
      (h) =>
        h.kind === 'HorizontalPodAutoscaler' &&
        h.spec.scaleTargetRef.kind === 'Deployment' &&
        h.spec.scaleTargetRef.name === d.metadata.name,
    );
    const wanted = expect.scaledElsewhere?.includes(d.metadata.name) ? 0 : 1;
    if (hpas.length !== wanted) problem(d, `${hpas.length} autoscalers target it, not ${wanted}`);
  }
  for (const p of manifests.filter((d) => d.kind === 'PodDisruptionBudget'))
    if (!deployments.some((d) => matches(p.spec.selector?.matchLabels, d.spec.template.metadata.labels)))
      problem(p, 'selects no Deployment');
  for (const h of manifests.filter((d) => d.kind === 'HorizontalPodAutoscaler')) {
    if (!deployments.some((d) => d.metadata.name === h.spec.scaleTargetRef.name)) problem(h, 'targets no Deployment');
    if (!h.spec.metrics.some((m: any) => m.type === 'Resource' && m.resource.name === 'cpu'))
      problem(h, 'no CPU metric (the fallback that needs no adapter)');
    for (const m of h.spec.metrics) {
      const name = m.pods?.metric.name ?? m.external?.metric.name;
      if (name && !expect.adapterMetrics.includes(name))
        problem(h, `metric ${name} is not served by the prometheus-adapter rules`);
    }
  }

  for (const pm of manifests.filter((d) => d.kind === 'PodMonitor')) {
    const targets = pods.filter((p) => matches(pm.spec.selector?.matchLabels, p.template.metadata?.labels));
    if (targets.length !== 1) problem(pm, `selector matches ${targets.length} workloads' pods, not one`);
    for (const e of pm.spec.podMetricsEndpoints ?? [])
      for (const t of targets)
        if (!t.template.spec.containers.some((c: any) => (c.ports ?? []).some((p: any) => p.name === e.port)))
          problem(pm, `endpoint port ${e.port} is not a named port of ${t.owner.metadata.name}`);
  }

  // A path (TEMPORAL_TLS_KEY=/etc/…/tls.key) names a file mounted from a Secret: not a secret itself.
  for (const cm of manifests.filter((d) => d.kind === 'ConfigMap'))
    for (const [key, value] of Object.entries<string>(cm.data ?? {}))
      if (SECRET_LOOKING.test(key) && !value.startsWith('/'))
        problem(cm, `${key} looks like a secret (it belongs in the Secret)`);

  return problems;
}
