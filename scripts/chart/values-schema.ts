/**
 * values.schema.json of the chart. Helm validates values against it before rendering, so a bad
 * value is refused with the key named. `cache.spec` is the MetadataCache spec schema of the CRD
 * (minus replicas and image, which are `cache.replicas` / `cache.image`), made strict.
 */

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({
  type: 'string',
  description,
  ...extra,
});
const bool = (description: string): Schema => ({ type: 'boolean', description });
const int = (description: string, minimum: number, maximum: number): Schema => ({
  type: 'integer',
  description,
  minimum,
  maximum,
});
const obj = (
  description: string,
  properties: Record<string, Schema>,
  required: string[] = [],
): Schema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
});
/** A free-form Kubernetes object (resources, affinity, security contexts): checked by the apiserver. */
const k8sObject = (description: string): Schema => ({ type: 'object', description });
const labelMap = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DURATION = '^[0-9]+(ms|s|m|h)$';
const PULL_POLICY = { enum: ['Always', 'IfNotPresent', 'Never'] };

/** CRD structural schema → strict JSON schema: drop x-kubernetes-* keys, refuse unknown keys. */
export function strictFromStructural(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictFromStructural);
  if (schema === null || typeof schema !== 'object') return schema;
  const input = schema as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(input)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] = k === 'default' || k === 'enum' ? v : strictFromStructural(v);
  }
  const preserves = input['x-kubernetes-preserve-unknown-fields'] === true;
  if (input.type === 'object' && input.properties && !input.additionalProperties && !preserves) {
    out.additionalProperties = false;
  }
  return out;
}

export function buildValuesSchema(crdSpecSchema: Schema): Schema {
  const specProperties = { ...(crdSpecSchema.properties as Record<string, Schema>) };
  const replicas = specProperties.replicas;
  delete specProperties.replicas;
  delete specProperties.image;
  const cacheSpec = strictFromStructural({
    ...crdSpecSchema,
    properties: specProperties,
    required: undefined,
  }) as Schema;
  delete cacheSpec.required;
  delete cacheSpec.default;

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'metadata-cache-operator values',
    type: 'object',
    additionalProperties: false,
    properties: {
      nameOverride: str('Replaces the chart name in resource names.', { maxLength: 40 }),
      fullnameOverride: str('Replaces the full resource name prefix.', { maxLength: 52 }),
      image: obj(
        'Operator container image.',
        {
          repository: str('Image repository of the operator.', { minLength: 1 }),
          tag: str("Image tag; empty means the chart's appVersion."),
          pullPolicy: str('Image pull policy.', PULL_POLICY),
        },
        ['repository'],
      ),
      imagePullSecrets: {
        type: 'array',
        description: 'Names of Secrets used to pull images.',
        items: {
          type: 'string',
          pattern: DNS_LABEL.replace('?$', '?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'),
        },
      },
      operator: obj('The operator Deployment.', {
        replicas: int('Operator replicas; more than 1 needs leader election.', 1, 5),
        leaderElection: obj('Leader election.', {
          enabled: bool('Take a Lease so only one replica reconciles.'),
        }),
        metricsPort: int('Port of /metrics, /healthz and /readyz.', 1024, 65535),
        extraArgs: {
          type: 'array',
          description: 'Extra command-line flags.',
          items: { type: 'string' },
        },
        extraEnv: {
          type: 'array',
          description: 'Extra EnvVar objects.',
          items: { type: 'object' },
        },
        resources: k8sObject('Requests and limits of the operator container.'),
        podAnnotations: labelMap('Annotations of the operator pods.'),
        podLabels: labelMap('Extra labels of the operator pods.'),
        podSecurityContext: k8sObject('Pod security context.'),
        securityContext: k8sObject('Container security context.'),
        nodeSelector: labelMap('Node selector.'),
        tolerations: { type: 'array', description: 'Tolerations.', items: { type: 'object' } },
        affinity: k8sObject('Affinity.'),
        priorityClassName: str('Priority class name.'),
      }),
      serviceAccount: obj('The operator ServiceAccount.', {
        create: bool('Create it.'),
        name: str('Name; empty means the release fullname.', { pattern: `^$|${DNS_LABEL}` }),
        annotations: labelMap('Annotations.'),
      }),
      rbac: obj('RBAC.', { create: bool('Create the ClusterRole, Role and bindings.') }),
      crds: obj('The MetadataCache CRD.', {
        install: bool('Install and upgrade the CRD (kept on uninstall).'),
      }),
      dashboards: obj('Grafana dashboard ConfigMaps.', {
        enabled: bool('Create them.'),
        namespace: str('Namespace; empty means the release namespace.', {
          pattern: `^$|${DNS_LABEL}`,
        }),
        labels: labelMap('Labels; the Grafana sidecar selects grafana_dashboard: "1".'),
        annotations: labelMap('Annotations.'),
      }),
      serviceMonitor: obj('ServiceMonitor for the operator.', {
        enabled: bool('Create it (needs the monitoring.coreos.com CRDs).'),
        namespace: str('Namespace; empty means the release namespace.', {
          pattern: `^$|${DNS_LABEL}`,
        }),
        labels: labelMap('Extra labels, e.g. release: kube-prometheus-stack.'),
        interval: str('Scrape interval.', { pattern: DURATION }),
        scrapeTimeout: str('Scrape timeout.', { pattern: DURATION }),
      }),
      prometheusRule: obj('PrometheusRule with the alert rules.', {
        enabled: bool('Create it (needs the monitoring.coreos.com CRDs).'),
        namespace: str('Namespace; empty means the release namespace.', {
          pattern: `^$|${DNS_LABEL}`,
        }),
        labels: labelMap('Extra labels, e.g. release: kube-prometheus-stack.'),
        additionalAlertLabels: labelMap('Labels added to every alert.'),
      }),
      cache: obj('An optional MetadataCache created with the release.', {
        enabled: bool('Create it.'),
        name: str('Name (the CRD allows 42 characters); empty means the release fullname.', {
          pattern: '^$|^[a-z]([-a-z0-9]*[a-z0-9])?$',
          maxLength: 42,
        }),
        replicas: { ...(strictFromStructural(replicas) as Schema), description: 'Cache members.' },
        image: str('Cache node image; empty lets the operator choose.'),
        spec: { ...cacheSpec, description: 'The rest of the MetadataCache spec.' },
      }),
      tests: obj('The `helm test` hook pod.', {
        image: obj(
          'Image of the test pod (needs sh and curl).',
          {
            repository: str('Image repository.', { minLength: 1 }),
            tag: str('Image tag.', { minLength: 1 }),
            pullPolicy: str('Image pull policy.', PULL_POLICY),
          },
          ['repository', 'tag'],
        ),
        map: str('Map the test writes to.', { minLength: 1 }),
      }),
    },
  };
}
