/**
 * Renders the production Kubernetes manifests from one set of values:
 *
 *   npm run deploy:render                                    deploy/values.yaml → deploy/kubernetes/
 *   npm run deploy:render -- --values prod.yaml --out dir    the same values overlaid with prod.yaml
 *
 * Every object is built with the typed models of the `kubernetes-models` package, so a misspelt
 * field fails `npm run typecheck`, and validated against its Kubernetes OpenAPI schema before it
 * is written, so a bad value fails the render (test/deploy/manifests.test.ts checks the committed
 * files equal a fresh render, and cross-checks ports, selectors and secret keys). No secret is
 * rendered: the Secret is created beside these manifests (docs/kubernetes.md).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

export const DEPLOY_DIR = __dirname;
export const VALUES_PATH = join(DEPLOY_DIR, 'values.yaml');
export const OUTPUT_DIR = join(DEPLOY_DIR, 'kubernetes');

/** The image's processes (Dockerfile: WORKDIR /app, the build in dist/). No npm: node is PID 1 and gets SIGTERM. */
export const COMMANDS = {
  ingress: ['node', 'dist/src/server.js'],
  worker: ['node', 'dist/src/worker.js'],
  migrate: ['node', 'dist/src/db/migrate.js', 'latest'],
} as const;

/** The `node` user of the node:20 base image (Dockerfile `USER node`): numeric, so runAsNonRoot can be verified. */
export const IMAGE_UID = 1000;

/** Keys every process reads from the Secret (src/config.ts refuses to start in production without them). */
export const REQUIRED_SECRET_KEYS = [
  'DATABASE_URL',
  'DIALPAD_API_KEY',
  'DIALPAD_WEBHOOK_SECRET',
  'API_TOKEN',
  'ADMIN_TOKEN',
] as const;
/** Keys read when present: a webhook secret rotation (docs/operations.md). */
export const OPTIONAL_SECRET_KEYS = [
  'DIALPAD_WEBHOOK_SECRET_PREVIOUS',
  'DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL',
] as const;

export const TEMPORAL_TLS_DIR = '/etc/navigator-dialpad/temporal-tls';
export const DATABASE_CA_DIR = '/etc/navigator-dialpad/database-ca';

/** Metric names the prometheus-adapter rules (examples/prometheus-adapter-values.yaml) serve to the worker's autoscaler. */
export const ADAPTER_METRICS = {
  slotUtilization: 'temporal_worker_task_slots_used_ratio',
  workflowTaskScheduleToStart: 'temporal_workflow_task_schedule_to_start_p95_seconds',
  activityScheduleToStart: 'temporal_activity_schedule_to_start_p95_seconds',
} as const;

// ── Values ─────────────────────────────────────────────────────────────────────────────────────

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS label (lower-case letters, digits and -)')
  .max(40, 'at most 40 characters (names get suffixes such as -ingress)');
const port = z.number().int().min(1).max(65535);
const cpu = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'expected a CPU quantity such as 250m or 1');
const memory = z.string().regex(/^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'expected a memory quantity such as 512Mi');
const resources = z.strictObject({
  requests: z.strictObject({ cpu, memory }),
  limits: z.strictObject({ cpu, memory }),
});
const seconds = z.number().int().min(0);
const pdb = z.strictObject({ maxUnavailable: z.number().int().min(1) });
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name');
const optionalUrl = z.union([z.literal(''), z.url({ protocol: /^https?$/ })]);
/** Variables the renderer sets itself, per process or from the Secret: not for extraEnv. */
const RESERVED_ENV = new Set<string>([
  ...REQUIRED_SECRET_KEYS,
  ...OPTIONAL_SECRET_KEYS,
  'TEMPORAL_API_KEY',
  'HOST',
  'PORT',
  'METRICS_HOST',
  'METRICS_PORT',
  'TEMPORAL_METRICS_PORT',
  'NODE_OPTIONS',
]);
const SECRET_LOOKING = /SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|PRIVATE|CREDENTIAL|_KEY$|DATABASE_URL/;

export const valuesSchema = z
  .strictObject({
    name: dnsLabel,
    namespace: dnsLabel,
    image: z.strictObject({
      repository: z.string().regex(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/, 'expected an image repository'),
      tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/, 'expected an image tag (at most 63 characters)'),
      digest: z.union([z.literal(''), z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 hex digits>')]),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
      pullSecrets: z.array(dnsLabel),
    }),
    secret: z.strictObject({ name: dnsLabel }),
    temporal: z.strictObject({
      address: z.string().regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port'),
      namespace: z.string().regex(/^[A-Za-z0-9._-]+$/),
      taskQueue: z.string().regex(/^[A-Za-z0-9._-]+$/),
      apiKey: z.boolean(),
      tls: z.strictObject({
        secretName: z.union([z.literal(''), dnsLabel]),
        clientCertificate: z.boolean(),
        ca: z.boolean(),
        serverName: z.string().regex(/^([A-Za-z0-9.-]+)?$/, 'expected a host name'),
      }),
    }),
    database: z.strictObject({ caSecretName: z.union([z.literal(''), dnsLabel]) }),
    dialpad: z.strictObject({ apiBaseUrl: z.url({ protocol: /^https?$/ }), publicWebhookUrl: optionalUrl }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    otelExporterOtlpEndpoint: optionalUrl,
    extraEnv: z.record(envName, z.string()),
    metrics: z.strictObject({
      port,
      temporalPort: port,
      podMonitor: z.strictObject({
        enabled: z.boolean(),
        interval: z.string().regex(/^\d+[smh]$/, 'expected a duration such as 30s'),
        labels: z.record(z.string(), z.string()),
      }),
    }),
    ingress: z.strictObject({
      port,
      service: z.strictObject({ type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']), port }),
      resources,
      nodeOptions: z.string(),
      preStopSleepSeconds: seconds,
      terminationGracePeriodSeconds: seconds,
      autoscaling: z.strictObject({
        minReplicas: z.number().int().min(1),
        maxReplicas: z.number().int().min(1),
        targetCPUUtilizationPercentage: z.number().int().min(1).max(100),
      }),
      podDisruptionBudget: pdb,
      public: z.strictObject({
        enabled: z.boolean(),
        host: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a host name'),
        className: z.string(),
        tlsSecretName: z.union([z.literal(''), dnsLabel]),
        paths: z.array(z.string().startsWith('/')).min(1),
      }),
    }),
    worker: z.strictObject({
      resources,
      nodeOptions: z.string(),
      terminationGracePeriodSeconds: seconds,
      autoscaling: z.strictObject({
        hpa: z.boolean(),
        minReplicas: z.number().int().min(1),
        maxReplicas: z.number().int().min(1),
        targetCPUUtilizationPercentage: z.number().int().min(1).max(100),
        slotUtilization: z.strictObject({ enabled: z.boolean(), target: z.number().gt(0).max(1) }),
        scheduleToStart: z.strictObject({
          enabled: z.boolean(),
          workflowTaskSeconds: z.number().positive(),
          activitySeconds: z.number().positive(),
        }),
      }),
      podDisruptionBudget: pdb,
    }),
    migration: z.strictObject({
      backoffLimit: z.number().int().min(0),
      activeDeadlineSeconds: z.number().int().min(1),
      ttlSecondsAfterFinished: seconds,
      resources,
    }),
  })
  .superRefine((v, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    for (const name of Object.keys(v.extraEnv)) {
      if (RESERVED_ENV.has(name)) problem(['extraEnv', name], 'set by the renderer (or read from the Secret)');
      else if (SECRET_LOOKING.test(name)) problem(['extraEnv', name], 'looks like a secret: put it in the Secret');
    }
    const { tls } = v.temporal;
    if ((tls.clientCertificate || tls.ca) && !tls.secretName)
      problem(['temporal', 'tls', 'secretName'], 'required with clientCertificate or ca');
    if (tls.secretName && !tls.clientCertificate && !tls.ca)
      problem(['temporal', 'tls'], 'a secretName without clientCertificate or ca mounts nothing');
    const ports = [v.ingress.port, v.metrics.port, v.metrics.temporalPort];
    if (new Set(ports).size !== ports.length)
      problem(['metrics'], 'ingress.port, metrics.port and metrics.temporalPort must differ');
    for (const c of ['ingress', 'worker'] as const) {
      const a = v[c].autoscaling;
      if (a.minReplicas > a.maxReplicas) problem([c, 'autoscaling'], 'minReplicas above maxReplicas');
    }
    if (v.ingress.terminationGracePeriodSeconds < v.ingress.preStopSleepSeconds + 25 + 1)
      problem(['ingress', 'terminationGracePeriodSeconds'], 'at least preStopSleepSeconds + 26 (25 s shutdown bound)');
    if (v.worker.terminationGracePeriodSeconds < 30)
      problem(['worker', 'terminationGracePeriodSeconds'], 'at least 30 (20 s SDK shutdown grace, then closing)');
  });

export type Values = z.infer<typeof valuesSchema>;

export class ValuesError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid deploy values:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ValuesError';
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; anything else (lists included) is replaced by the overlay's. */
export function mergeValues(base: unknown, overlay: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(overlay)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(overlay)) out[k] = mergeValues(base[k], v);
    return out;
  }
  return overlay === undefined ? base : overlay;
}

export function parseValues(raw: unknown): Values {
  const result = valuesSchema.safeParse(raw);
  if (!result.success)
    throw new ValuesError(result.error.issues.map((i) => `${i.path.join('.') || '(values)'}: ${i.message}`));
  return result.data;
}

/** deploy/values.yaml, overlaid in order with each file given. */
export function loadValues(overlays: string[] = []): Values {
  let raw: unknown = parse(readFileSync(VALUES_PATH, 'utf8'));
  for (const file of overlays) raw = mergeValues(raw, parse(readFileSync(file, 'utf8')) ?? {});
  return parseValues(raw);
}

// ── Manifests ──────────────────────────────────────────────────────────────────────────────────

/** What every rendered Kubernetes object offers (the kubernetes-models Model). */
export interface K8sObject {
  toJSON(): unknown;
  validate(): void;
}

export interface RenderedFile {
  /** Relative to deploy/kubernetes/. */
  path: string;
  text: string;
  /** The Kubernetes objects in the file, in order (none for the script and the adapter rules). */
  objects: K8sObject[];
  executable?: boolean;
}

type Component = 'ingress' | 'worker' | 'migrate';

export function objectNames(v: Values) {
  const slug = v.image.tag
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return {
    serviceAccount: v.name,
    config: `${v.name}-config`,
    // One Job per release: a Job's pod template cannot change, so each image gets its own.
    migrate: `${v.name}-migrate-${slug}`.slice(0, 63).replace(/-+$/, ''),
    worker: `${v.name}-worker`,
    ingress: `${v.name}-ingress`,
    publicIngress: v.name,
  };
}

export function selectorLabels(v: Values, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'navigator-dialpad',
    'app.kubernetes.io/instance': v.name,
    'app.kubernetes.io/component': component,
  };
}

function labels(v: Values, component?: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'navigator-dialpad',
    'app.kubernetes.io/instance': v.name,
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
    'app.kubernetes.io/version': v.image.tag,
    'app.kubernetes.io/part-of': 'navigator',
    'app.kubernetes.io/managed-by': 'navigator-dialpad-deploy-render',
  };
}

function meta(v: Values, name: string, component?: Component, annotations?: Record<string, string>) {
  return {
    name,
    namespace: v.namespace,
    labels: labels(v, component),
    ...(annotations ? { annotations } : {}),
  };
}

function image(v: Values): string {
  return v.image.digest ? `${v.image.repository}@${v.image.digest}` : `${v.image.repository}:${v.image.tag}`;
}

/** Non-secret configuration shared by every process (the ConfigMap, read with envFrom). */
export function configData(v: Values): Record<string, string> {
  const { tls } = v.temporal;
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: v.logLevel,
    TEMPORAL_ADDRESS: v.temporal.address,
    TEMPORAL_NAMESPACE: v.temporal.namespace,
    TEMPORAL_TASK_QUEUE: v.temporal.taskQueue,
    DIALPAD_API_BASE_URL: v.dialpad.apiBaseUrl,
    ...(v.dialpad.publicWebhookUrl ? { PUBLIC_WEBHOOK_URL: v.dialpad.publicWebhookUrl } : {}),
    ...(v.otelExporterOtlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: v.otelExporterOtlpEndpoint } : {}),
    ...(tls.clientCertificate
      ? { TEMPORAL_TLS_CERT: `${TEMPORAL_TLS_DIR}/tls.crt`, TEMPORAL_TLS_KEY: `${TEMPORAL_TLS_DIR}/tls.key` }
      : {}),
    ...(tls.ca ? { TEMPORAL_TLS_CA: `${TEMPORAL_TLS_DIR}/ca.crt` } : {}),
    ...(tls.serverName ? { TEMPORAL_TLS_SERVER_NAME: tls.serverName } : {}),
    ...(v.database.caSecretName ? { DATABASE_CA: `${DATABASE_CA_DIR}/ca.crt` } : {}),
    ...v.extraEnv,
  };
}

/** Keys of the Secret, each with whether a process may start without it. */
export function secretKeys(v: Values): { key: string; optional: boolean }[] {
  return [
    ...REQUIRED_SECRET_KEYS.map((key) => ({ key, optional: false })),
    ...(v.temporal.apiKey ? [{ key: 'TEMPORAL_API_KEY', optional: false }] : []),
    ...OPTIONAL_SECRET_KEYS.map((key) => ({ key, optional: true })),
  ];
}

function secretEnv(v: Values): IEnvVar[] {
  return secretKeys(v).map(({ key, optional }) => ({
    name: key,
    valueFrom: { secretKeyRef: { name: v.secret.name, key, ...(optional ? { optional: true } : {}) } },
  }));
}

/** Files: certificates from Secrets, mounted read-only; /tmp writable (the root filesystem is not). */
function volumes(v: Values): { volumes: IVolume[]; mounts: IVolumeMount[] } {
  const out: { volumes: IVolume[]; mounts: IVolumeMount[] } = {
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
    mounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  const { tls } = v.temporal;
  if (tls.secretName) {
    const items = [
      ...(tls.clientCertificate
        ? [
            { key: 'tls.crt', path: 'tls.crt' },
            { key: 'tls.key', path: 'tls.key' },
          ]
        : []),
      ...(tls.ca ? [{ key: 'ca.crt', path: 'ca.crt' }] : []),
    ];
    out.volumes.push({ name: 'temporal-tls', secret: { secretName: tls.secretName, defaultMode: 0o440, items } });
    out.mounts.push({ name: 'temporal-tls', mountPath: TEMPORAL_TLS_DIR, readOnly: true });
  }
  if (v.database.caSecretName) {
    out.volumes.push({
      name: 'database-ca',
      secret: { secretName: v.database.caSecretName, defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    out.mounts.push({ name: 'database-ca', mountPath: DATABASE_CA_DIR, readOnly: true });
  }
  return out;
}

function container(
  v: Values,
  name: string,
  command: readonly string[],
  resources: IResourceRequirements,
  env: IEnvVar[],
  rest: Partial<IContainer> = {},
): IContainer {
  return {
    name,
    image: image(v),
    imagePullPolicy: v.image.pullPolicy,
    command: [...command],
    ...rest,
    env: [...env, ...secretEnv(v)],
    envFrom: [{ configMapRef: { name: objectNames(v).config } }],
    resources,
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: volumes(v).mounts,
  };
}

function podSpec(v: Values, containers: IContainer[], terminationGracePeriodSeconds: number, spread?: Component) {
  const spec: IPodSpec = {
    serviceAccountName: objectNames(v).serviceAccount,
    automountServiceAccountToken: false,
    // No <SERVICE>_PORT variables: a Service named `metrics` would otherwise set METRICS_PORT.
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: IMAGE_UID,
      runAsGroup: IMAGE_UID,
      fsGroup: IMAGE_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(v.image.pullSecrets.length ? { imagePullSecrets: v.image.pullSecrets.map((name) => ({ name })) } : {}),
    terminationGracePeriodSeconds,
    ...(spread
      ? {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selectorLabels(v, spread) },
            },
          ],
        }
      : {}),
    containers,
    volumes: volumes(v).volumes,
  };
  return spec;
}

/** Pod annotations: config changes roll the pods; Prometheus's kubernetes-pods job scrapes `port`. */
function podAnnotations(v: Values, scrapePort: number): Record<string, string> {
  const checksum = createHash('sha256')
    .update(JSON.stringify(configData(v)))
    .digest('hex');
  return {
    'checksum/config': checksum,
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(scrapePort),
    'prometheus.io/path': '/metrics',
  };
}

function quantity(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

function configObjects(v: Values): K8sObject[] {
  const names = objectNames(v);
  return [
    new ServiceAccount({ metadata: meta(v, names.serviceAccount), automountServiceAccountToken: false }),
    new ConfigMap({ metadata: meta(v, names.config), data: configData(v) }),
  ];
}

function migrationObjects(v: Values): K8sObject[] {
  const names = objectNames(v);
  return [
    new Job({
      metadata: meta(v, names.migrate, 'migrate'),
      spec: {
        backoffLimit: v.migration.backoffLimit,
        activeDeadlineSeconds: v.migration.activeDeadlineSeconds,
        ttlSecondsAfterFinished: v.migration.ttlSecondsAfterFinished,
        template: {
          metadata: { labels: { ...selectorLabels(v, 'migrate'), 'app.kubernetes.io/version': v.image.tag } },
          spec: {
            ...podSpec(v, [container(v, 'migrate', COMMANDS.migrate, v.migration.resources, [])], 30),
            restartPolicy: 'Never',
          },
        },
      },
    }),
  ];
}

function workerMetrics(v: Values): IMetricSpec[] {
  const a = v.worker.autoscaling;
  const metrics: IMetricSpec[] = [];
  if (a.slotUtilization.enabled)
    metrics.push({
      type: 'Pods',
      pods: {
        metric: { name: ADAPTER_METRICS.slotUtilization },
        target: { type: 'AverageValue', averageValue: quantity(a.slotUtilization.target) },
      },
    });
  if (a.scheduleToStart.enabled)
    for (const [name, target] of [
      [ADAPTER_METRICS.workflowTaskScheduleToStart, a.scheduleToStart.workflowTaskSeconds],
      [ADAPTER_METRICS.activityScheduleToStart, a.scheduleToStart.activitySeconds],
    ] as const)
      metrics.push({
        type: 'External',
        external: {
          metric: { name, selector: { matchLabels: { task_queue: v.temporal.taskQueue } } },
          target: { type: 'Value', value: quantity(target) },
        },
      });
  metrics.push({
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage } },
  });
  return metrics;
}

function workerObjects(v: Values): K8sObject[] {
  const names = objectNames(v);
  const w = v.worker;
  const worker = container(
    v,
    'worker',
    COMMANDS.worker,
    w.resources,
    [
      { name: 'METRICS_HOST', value: '0.0.0.0' },
      { name: 'METRICS_PORT', value: String(v.metrics.port) },
      { name: 'TEMPORAL_METRICS_PORT', value: String(v.metrics.temporalPort) },
      { name: 'NODE_OPTIONS', value: w.nodeOptions },
    ],
    {
      ports: [
        { name: 'metrics', containerPort: v.metrics.port, protocol: 'TCP' },
        { name: 'sdk-metrics', containerPort: v.metrics.temporalPort, protocol: 'TCP' },
      ],
    },
  );
  const objects: K8sObject[] = [
    new Deployment({
      metadata: meta(v, names.worker, 'worker'),
      spec: {
        // No replicas: the autoscaler owns the count (an apply would otherwise reset it).
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(v, 'worker') },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: {
          metadata: {
            labels: { ...selectorLabels(v, 'worker'), 'app.kubernetes.io/version': v.image.tag },
            annotations: podAnnotations(v, v.metrics.temporalPort),
          },
          spec: podSpec(v, [worker], w.terminationGracePeriodSeconds, 'worker'),
        },
      },
    }),
    new PodDisruptionBudget({
      metadata: meta(v, names.worker, 'worker'),
      spec: {
        maxUnavailable: w.podDisruptionBudget.maxUnavailable,
        selector: { matchLabels: selectorLabels(v, 'worker') },
      },
    }),
  ];
  // Without it (worker.autoscaling.hpa: false) something else owns the replica count: KEDA's ScaledObject.
  if (w.autoscaling.hpa)
    objects.push(
      new HorizontalPodAutoscaler({
        metadata: meta(v, names.worker, 'worker'),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.worker },
          minReplicas: w.autoscaling.minReplicas,
          maxReplicas: w.autoscaling.maxReplicas,
          metrics: workerMetrics(v),
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
            // Slow down: a worker leaving drops its sticky cache (the next tasks replay histories).
            scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
          },
        },
      }),
    );
  return objects;
}

function ingressObjects(v: Values): K8sObject[] {
  const names = objectNames(v);
  const i = v.ingress;
  const http = { path: '/healthz', port: 'http' };
  const ingress = container(
    v,
    'ingress',
    COMMANDS.ingress,
    i.resources,
    [
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'PORT', value: String(i.port) },
      { name: 'METRICS_HOST', value: '0.0.0.0' },
      { name: 'METRICS_PORT', value: String(v.metrics.port) },
      { name: 'NODE_OPTIONS', value: i.nodeOptions },
    ],
    {
      ports: [
        { name: 'http', containerPort: i.port, protocol: 'TCP' },
        { name: 'metrics', containerPort: v.metrics.port, protocol: 'TCP' },
      ],
      startupProbe: { httpGet: http, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
      readinessProbe: {
        httpGet: { path: '/readyz?for=webhooks', port: 'http' },
        periodSeconds: 5,
        timeoutSeconds: 4,
        failureThreshold: 3,
      },
      livenessProbe: { httpGet: http, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
      ...(i.preStopSleepSeconds > 0
        ? { lifecycle: { preStop: { exec: { command: ['sleep', String(i.preStopSleepSeconds)] } } } }
        : {}),
    },
  );
  const objects: K8sObject[] = [
    new Deployment({
      metadata: meta(v, names.ingress, 'ingress'),
      spec: {
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(v, 'ingress') },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: {
          metadata: {
            labels: { ...selectorLabels(v, 'ingress'), 'app.kubernetes.io/version': v.image.tag },
            annotations: podAnnotations(v, v.metrics.port),
          },
          spec: podSpec(v, [ingress], i.terminationGracePeriodSeconds, 'ingress'),
        },
      },
    }),
    new Service({
      metadata: meta(v, names.ingress, 'ingress'),
      spec: {
        type: i.service.type,
        selector: selectorLabels(v, 'ingress'),
        // The public port only: /metrics is scraped from the pods, never exposed through the Service.
        ports: [{ name: 'http', port: i.service.port, targetPort: 'http', protocol: 'TCP' }],
      },
    }),
    new PodDisruptionBudget({
      metadata: meta(v, names.ingress, 'ingress'),
      spec: {
        maxUnavailable: i.podDisruptionBudget.maxUnavailable,
        selector: { matchLabels: selectorLabels(v, 'ingress') },
      },
    }),
    new HorizontalPodAutoscaler({
      metadata: meta(v, names.ingress, 'ingress'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.ingress },
        minReplicas: i.autoscaling.minReplicas,
        maxReplicas: i.autoscaling.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: i.autoscaling.targetCPUUtilizationPercentage },
            },
          },
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Percent', value: 100, periodSeconds: 30 },
              { type: 'Pods', value: 2, periodSeconds: 30 },
            ],
          },
          scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
        },
      },
    }),
  ];
  if (i.public.enabled)
    objects.push(
      new Ingress({
        metadata: meta(v, names.publicIngress, 'ingress'),
        spec: {
          ...(i.public.className ? { ingressClassName: i.public.className } : {}),
          ...(i.public.tlsSecretName ? { tls: [{ hosts: [i.public.host], secretName: i.public.tlsSecretName }] } : {}),
          rules: [
            {
              host: i.public.host,
              http: {
                paths: i.public.paths.map((path) => ({
                  path,
                  pathType: 'Prefix',
                  backend: { service: { name: names.ingress, port: { name: 'http' } } },
                })),
              },
            },
          ],
        },
      }),
    );
  return objects;
}

function monitoringObjects(v: Values): K8sObject[] {
  const names = objectNames(v);
  const endpoint = (port: string) => ({ port, path: '/metrics', interval: v.metrics.podMonitor.interval });
  const monitorMeta = (name: string, component: Component) => ({
    ...meta(v, name, component),
    labels: { ...labels(v, component), ...v.metrics.podMonitor.labels },
  });
  return [
    new PodMonitor({
      metadata: monitorMeta(names.ingress, 'ingress'),
      spec: { selector: { matchLabels: selectorLabels(v, 'ingress') }, podMetricsEndpoints: [endpoint('metrics')] },
    }),
    new PodMonitor({
      metadata: monitorMeta(names.worker, 'worker'),
      spec: {
        selector: { matchLabels: selectorLabels(v, 'worker') },
        podMetricsEndpoints: [endpoint('metrics'), endpoint('sdk-metrics')],
      },
    }),
  ];
}

/** An example of the Secret(s) to create (never applied as is: every value is empty). */
function secretExamples(v: Values): K8sObject[] {
  const out: K8sObject[] = [
    new Secret({
      metadata: meta(v, v.secret.name),
      type: 'Opaque',
      stringData: Object.fromEntries(secretKeys(v).map(({ key }) => [key, ''])),
    }),
  ];
  const { tls } = v.temporal;
  if (tls.secretName)
    out.push(
      new Secret({
        metadata: meta(v, tls.secretName),
        type: tls.clientCertificate ? 'kubernetes.io/tls' : 'Opaque',
        stringData: {
          ...(tls.clientCertificate ? { 'tls.crt': '', 'tls.key': '' } : {}),
          ...(tls.ca ? { 'ca.crt': '' } : {}),
        },
      }),
    );
  if (v.database.caSecretName)
    out.push(new Secret({ metadata: meta(v, v.database.caSecretName), type: 'Opaque', stringData: { 'ca.crt': '' } }));
  return out;
}

/** Rules for the prometheus-adapter Helm chart: the Pods and External metrics the worker's autoscaler reads. */
export function adapterRules() {
  const workerTypes = 'worker_type=~"WorkflowWorker|ActivityWorker"';
  const slots = (metric: string) => `sum by (<<.GroupBy>>, worker_type) (${metric}{<<.LabelMatchers>>,${workerTypes}})`;
  const used = slots('temporal_worker_task_slots_used');
  const p95 = (name: string, metric: string) => ({
    seriesQuery: `{__name__=~"${metric}(_seconds)?_bucket",task_queue!="",namespace!=""}`,
    resources: { overrides: { namespace: { resource: 'namespace' } } },
    name: { matches: '.*', as: name },
    // No tasks in the window: 0, not NaN.
    metricsQuery: `(histogram_quantile(0.95, sum by (le) (rate(<<.Series>>{<<.LabelMatchers>>}[2m]))) > 0) or vector(0)`,
  });
  return {
    rules: {
      custom: [
        {
          seriesQuery: 'temporal_worker_task_slots_used{namespace!="",pod!=""}',
          resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
          name: { matches: '^temporal_worker_task_slots_used$', as: ADAPTER_METRICS.slotUtilization },
          metricsQuery: `max by (<<.GroupBy>>) (\n  ${used}\n  /\n  (${used} + ${slots('temporal_worker_task_slots_available')})\n)`,
        },
      ],
      external: [
        p95(ADAPTER_METRICS.workflowTaskScheduleToStart, 'temporal_workflow_task_schedule_to_start_latency'),
        p95(ADAPTER_METRICS.activityScheduleToStart, 'temporal_activity_schedule_to_start_latency'),
      ],
    },
  };
}

function applyScript(v: Values, files: string[]): string {
  const names = objectNames(v);
  const ns = v.namespace;
  const monitoring = files.includes('40-monitoring.yaml');
  return `#!/usr/bin/env bash
${GENERATED}
# Applies these manifests in the upgrade order (README): configuration, the migration Job (waited
# for: nothing rolls out if it fails), the workers (rolled out), then the ingresses. Needs kubectl
# pointed at the cluster, the namespace and the Secret (docs/kubernetes.md).
set -euo pipefail
cd "$(dirname "$0")"
ns=${ns}
job=${names.migrate}

kubectl get namespace "$ns" >/dev/null
kubectl -n "$ns" get secret ${v.secret.name} >/dev/null \\
  || { echo "create the Secret ${v.secret.name} in $ns first (docs/kubernetes.md)" >&2; exit 1; }

echo "== configuration"
kubectl apply -f 00-config.yaml

echo "== migration ($job)"
# A Job cannot be changed once created: a re-run of this release replaces the finished one.
kubectl -n "$ns" delete job "$job" --ignore-not-found --wait=true
kubectl apply -f 10-migrate.yaml
deadline=$((SECONDS + ${v.migration.activeDeadlineSeconds + 60}))
while :; do
  conditions=$(kubectl -n "$ns" get job "$job" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
  case " $conditions " in
    *" Complete "*) break ;;
    *" Failed "*)
      kubectl -n "$ns" logs "job/$job" --tail=50 >&2 || true
      echo "migration failed: workers and ingresses left as they were" >&2
      exit 1 ;;
  esac
  if ((SECONDS > deadline)); then echo "migration did not finish in time" >&2; exit 1; fi
  sleep 5
done
kubectl -n "$ns" logs "job/$job" --tail=5 || true

echo "== workers"
kubectl apply -f 20-worker.yaml
kubectl -n "$ns" rollout status deployment/${names.worker} --timeout=15m

echo "== ingresses"
kubectl apply -f 30-ingress.yaml
kubectl -n "$ns" rollout status deployment/${names.ingress} --timeout=15m
${
  monitoring
    ? `
echo "== monitoring"
if kubectl api-resources --api-group=monitoring.coreos.com -o name | grep -q '^podmonitors'; then
  kubectl apply -f 40-monitoring.yaml
else
  echo "skipped 40-monitoring.yaml: no PodMonitor resource here (prometheus-operator); the pods' prometheus.io annotations remain"
fi
`
    : ''
}`;
}

const GENERATED = '# Generated by `npm run deploy:render` from deploy/values.yaml: edit the values, not this file.';

function yamlFile(objects: K8sObject[], comment: string[] = []): string {
  const header = [GENERATED, ...comment.map((c) => `# ${c}`)].join('\n');
  const docs = objects.map((o) => stringify(o.toJSON(), { lineWidth: 0 }));
  return `${header}\n${docs.map((d) => `---\n${d}`).join('')}`;
}

/** Every file of deploy/kubernetes/, validated: a value the Kubernetes schema refuses throws here. */
export function render(v: Values): RenderedFile[] {
  const files: RenderedFile[] = [];
  const add = (path: string, objects: K8sObject[], comment: string[] = []) => {
    for (const o of objects) {
      try {
        o.validate();
      } catch (err) {
        const json = o.toJSON() as { kind?: string; metadata?: { name?: string } };
        throw new Error(`${path}: ${json.kind} ${json.metadata?.name}: ${(err as Error).message}`, { cause: err });
      }
    }
    files.push({ path, objects, text: yamlFile(objects, comment) });
  };
  add('00-config.yaml', configObjects(v), ['The ServiceAccount and the non-secret configuration of every process.']);
  add('10-migrate.yaml', migrationObjects(v), [
    'The migrations of this release, run to completion before the workers and ingresses roll out (apply.sh).',
  ]);
  add('20-worker.yaml', workerObjects(v), [
    'The Temporal worker: rolled out after the migration and before the ingresses.',
    "Its autoscaler's Pods/External metrics need prometheus-adapter (examples/prometheus-adapter-values.yaml) or KEDA.",
  ]);
  add('30-ingress.yaml', ingressObjects(v), ['The webhook and API ingress: rolled out last.']);
  if (v.metrics.podMonitor.enabled)
    add('40-monitoring.yaml', monitoringObjects(v), [
      'PodMonitors for prometheus-operator (apply.sh skips this file where the CRD is missing).',
    ]);
  add('examples/secret.yaml', secretExamples(v), [
    'The keys of the Secret(s) the processes read. An example, never applied by apply.sh: fill it in',
    'outside git or create the Secret another way (docs/kubernetes.md).',
  ]);
  files.push({
    path: 'examples/prometheus-adapter-values.yaml',
    objects: [],
    text: `${GENERATED}\n# Rules for the prometheus-adapter Helm chart (helm install ... -f this file): the metrics\n# the worker's HorizontalPodAutoscaler reads from the Temporal SDK (docs/kubernetes.md).\n# The HPA selects task_queue=${v.temporal.taskQueue} in namespace ${v.namespace}.\n${stringify(adapterRules(), { lineWidth: 0 })}`,
  });
  const manifests = files.filter((f) => /^\d\d-.*\.yaml$/.test(f.path)).map((f) => f.path);
  files.push({ path: 'apply.sh', objects: [], text: applyScript(v, manifests), executable: true });
  return files;
}

/** Writes the files to `outDir`, removing files rendered earlier that the values no longer produce. */
export function writeRendered(files: RenderedFile[], outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const keep = new Set(files.map((f) => f.path));
  for (const existing of listFiles(outDir))
    if (!keep.has(existing) && isRendered(join(outDir, existing))) rmSync(join(outDir, existing));
  for (const f of files) {
    const target = join(outDir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.text);
    if (f.executable) chmodSync(target, 0o755);
  }
}

/** Only what this renderer wrote is ever removed (its first lines carry the GENERATED line). */
function isRendered(path: string): boolean {
  return readFileSync(path, 'utf8').split('\n', 3).includes(GENERATED);
}

/** Files under `dir`, relative to it (sorted). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function main(argv: string[]): void {
  const overlays: string[] = [];
  let out = OUTPUT_DIR;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    const next = () => {
      const value = argv[++k];
      if (value === undefined) throw new ValuesError([`${arg}: expected a path after it`]);
      return resolve(value);
    };
    if (arg === '--values' || arg === '-f') overlays.push(next());
    else if (arg === '--out') out = next();
    else throw new ValuesError([`unknown argument ${arg} (use --values FILE, --out DIR)`]);
  }
  const files = render(loadValues(overlays));
  writeRendered(files, out);
  process.stdout.write(`rendered ${files.length} files into ${relative(process.cwd(), out) || '.'}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
