/**
 * The single source of truth for MetadataCache settings.
 *
 * `cacheSettingsProperties` are the settings a MetadataCache resource and a cache node share: the
 * operator's CRD generator embeds them in `spec` (crds/metadatacache.yaml), and the node validates
 * its config file against `nodeConfigSchema` (these plus node-only keys) with ajv.
 *
 * Rules for editing (so the CRD stays structural): every schema has a `type`; every field has a
 * `description`; objects list their `properties` and set `additionalProperties: false` (the CRD
 * generator drops that keyword, as the apiserver prunes and rejects unknown fields itself);
 * cross-field rules go in `x-kubernetes-validations` (CEL) and are mirrored in
 * `crossFieldErrors()` of validate.ts for the node.
 */

export const EVICTION_POLICIES = ['tinylfu', 'lru', 'lfu', 'none'] as const;
export type EvictionPolicyName = (typeof EVICTION_POLICIES)[number];

const seconds = (description: string, max: number, dflt: number) =>
  ({ type: 'integer', minimum: 0, maximum: max, default: dflt, description }) as const;

/** Settings of one named map. `name` is required in `maps[]`; `defaultMap` has no name. */
const mapSettingsProperties = {
  maxEntries: {
    type: 'integer',
    minimum: 1,
    maximum: 2147483647,
    description:
      'Maximum number of entries this map holds on one member (owned and backup copies). When reached, the eviction policy picks a victim; with eviction "none" new keys are refused.',
  },
  maxSizeBytes: {
    type: 'integer',
    minimum: 1024,
    maximum: 1099511627776,
    description:
      'Maximum bytes (keys + values + per-entry overhead, measured, not estimated) this map holds on one member. Either or both of maxEntries and maxSizeBytes may be set.',
  },
  eviction: {
    type: 'string',
    enum: [...EVICTION_POLICIES],
    default: 'tinylfu',
    description:
      'Eviction policy: "tinylfu" (W-TinyLFU: frequency-sketch admission with a small LRU window; best hit ratio), "lru", "lfu", or "none" (never evict; writes of new keys fail when full).',
  },
  ttlSeconds: seconds(
    'Time to live of an entry after its last write, in seconds; 0 means entries never expire. A put may set its own TTL.',
    31536000,
    0,
  ),
  maxIdleSeconds: seconds(
    'An entry not read or written for this many seconds expires; 0 disables idle expiry.',
    31536000,
    0,
  ),
} as const;

export const mapSchema = {
  type: 'object',
  description: 'A named map (an IMap for Hazelcast clients) and its limits.',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9_][A-Za-z0-9._:-]*$',
      description: 'Map name, unique within the cache; letters, digits and . _ : - only.',
    },
    ...mapSettingsProperties,
  },
  'x-kubernetes-validations': [
    {
      rule: '!has(self.ttlSeconds) || !has(self.maxIdleSeconds) || self.ttlSeconds == 0 || self.maxIdleSeconds == 0 || self.maxIdleSeconds < self.ttlSeconds',
      message:
        'maxIdleSeconds must be less than ttlSeconds when both are set (an idle limit longer than the TTL never fires)',
      fieldPath: '.maxIdleSeconds',
    },
  ],
} as const;

export const defaultMapSchema = {
  type: 'object',
  description:
    'Settings for maps that are not declared in `maps` (used only when `maps` is empty or `undeclaredMaps` is "allow").',
  additionalProperties: false,
  default: {},
  properties: {
    ...mapSettingsProperties,
    maxEntries: { ...mapSettingsProperties.maxEntries, default: 100000 },
  },
} as const;

/** Settings shared by the CRD `spec` and the node config file. */
export const cacheSettingsProperties = {
  clusterName: {
    type: 'string',
    minLength: 1,
    maxLength: 63,
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    default: 'dev',
    description:
      'Cluster name that clients and members must present when they connect (Hazelcast `clusterName`).',
  },
  partitionCount: {
    type: 'integer',
    minimum: 1,
    maximum: 65521,
    default: 271,
    description:
      'Number of partitions keys are hashed into. Fixed for the life of a cluster: clients pin it on first connect.',
  },
  backupCount: {
    type: 'integer',
    minimum: 0,
    maximum: 6,
    default: 1,
    description: 'Number of backup copies of each partition, each on a distinct member.',
  },
  backupMode: {
    type: 'string',
    enum: ['sync', 'async'],
    default: 'sync',
    description:
      '"sync": a write is acknowledged after every backup has it; "async": acknowledged once the owner has it.',
  },
  readFromBackup: {
    type: 'boolean',
    default: false,
    description: 'Allow reads to be served by a backup copy (may be slightly stale in async mode).',
  },
  maps: {
    type: 'array',
    maxItems: 256,
    default: [],
    description:
      'Declared maps. When the list is not empty, other map names are refused unless `undeclaredMaps` is "allow".',
    items: mapSchema,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  },
  undeclaredMaps: {
    type: 'string',
    enum: ['reject', 'allow'],
    default: 'reject',
    description:
      'What happens to a map name not in `maps` when `maps` is not empty: "reject" it, or "allow" it with `defaultMap` settings.',
  },
  defaultMap: defaultMapSchema,
  invalidation: {
    type: 'object',
    description: 'How changes are broadcast to near caches (clients and members).',
    additionalProperties: false,
    default: {},
    properties: {
      batchMaxDelayMillis: {
        type: 'integer',
        minimum: 0,
        maximum: 1000,
        default: 0,
        description:
          'Hold invalidations up to this many milliseconds to batch them; 0 sends each one immediately.',
      },
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 10000,
        default: 100,
        description: 'A batch is sent as soon as it holds this many invalidations.',
      },
      memberNearCacheMaxEntries: {
        type: 'integer',
        minimum: 0,
        maximum: 10000000,
        default: 10000,
        description:
          'Entries a member keeps in its own near cache of keys it reads but does not own (HTTP API); 0 disables it.',
      },
    },
  },
  hotKeys: {
    type: 'object',
    description: 'Hot-entry tracking: a decaying top-K of the most read keys per map.',
    additionalProperties: false,
    default: {},
    properties: {
      topK: {
        type: 'integer',
        minimum: 0,
        maximum: 1000,
        default: 10,
        description: 'How many hot keys to track per map; 0 disables tracking.',
      },
      halfLifeSeconds: {
        type: 'integer',
        minimum: 1,
        maximum: 86400,
        default: 60,
        description: 'Read counts halve every this many seconds, so old popularity fades.',
      },
    },
  },
  maintenance: {
    type: 'object',
    description: 'Background maintenance timers.',
    additionalProperties: false,
    default: {},
    properties: {
      expirySweepIntervalSeconds: {
        type: 'integer',
        minimum: 1,
        maximum: 3600,
        default: 5,
        description:
          'How often expired entries are swept (reads never return an expired entry in between).',
      },
      sketchAgingIntervalSeconds: {
        type: 'integer',
        minimum: 0,
        maximum: 86400,
        default: 0,
        description:
          'Halve the eviction frequency sketch on this timer as well as after every 10×capacity accesses; 0 uses access counts only.',
      },
      statsWindowSeconds: {
        type: 'integer',
        minimum: 10,
        maximum: 86400,
        default: 300,
        description:
          'Length of the sliding window over which statistics and recommendations are computed.',
      },
      statsBuckets: {
        type: 'integer',
        minimum: 2,
        maximum: 600,
        default: 30,
        description: 'Number of buckets the statistics window is divided into.',
      },
    },
  },
  limits: {
    type: 'object',
    description: 'Request limits; requests over them are refused with a clear error.',
    additionalProperties: false,
    default: {},
    properties: {
      maxKeyBytes: {
        type: 'integer',
        minimum: 16,
        maximum: 65536,
        default: 4096,
        description:
          'Longest key accepted, in bytes (UTF-8 on the HTTP API, serialized on the binary protocol).',
      },
      maxValueBytes: {
        type: 'integer',
        minimum: 64,
        maximum: 268435456,
        default: 1048576,
        description: 'Largest value accepted, in bytes; larger HTTP bodies get 413.',
      },
      maxFrameBytes: {
        type: 'integer',
        minimum: 1024,
        maximum: 1073741824,
        default: 16777216,
        description: 'Largest binary-protocol frame accepted; a larger one closes that connection.',
      },
      maxConnections: {
        type: 'integer',
        minimum: 1,
        maximum: 1000000,
        default: 20000,
        description: 'Most client connections a member accepts at once.',
      },
      writeBufferBytes: {
        type: 'integer',
        minimum: 65536,
        maximum: 1073741824,
        default: 8388608,
        description:
          'Bytes queued for one slow client before the member stops reading its requests (backpressure); at 4× this the connection is closed.',
      },
    },
  },
} as const;

/** Node-only settings: where this member listens, how it finds peers, its credentials. */
export const nodeOnlyProperties = {
  member: {
    type: 'object',
    description: 'This member.',
    additionalProperties: false,
    default: {},
    properties: {
      id: {
        type: 'string',
        minLength: 1,
        maxLength: 253,
        description: 'Stable member id (pod name in Kubernetes); defaults to host:port.',
      },
      host: {
        type: 'string',
        minLength: 1,
        default: '127.0.0.1',
        description: 'Address the binary protocol and member transport listen on.',
      },
      port: {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        default: 5701,
        description: 'Binary-protocol (Hazelcast client) port.',
      },
      httpHost: {
        type: 'string',
        minLength: 1,
        description: 'Address the HTTP API listens on; defaults to `host`.',
      },
      httpPort: {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        default: 8080,
        description: 'HTTP API port (REST, health, metrics).',
      },
      publicAddress: {
        type: 'string',
        minLength: 1,
        description:
          'host:port that clients and peers should use to reach this member; defaults to host:port.',
      },
      zone: {
        type: 'string',
        maxLength: 253,
        description: 'Failure zone of this member; backups are spread across zones when set.',
      },
      heartbeatIntervalMillis: {
        type: 'integer',
        minimum: 50,
        maximum: 60000,
        default: 500,
        description:
          'How often this member sends a heartbeat to each peer over its member connection. failureTimeoutMillis must be at least 3 times this.',
      },
      failureTimeoutMillis: {
        type: 'integer',
        minimum: 1000,
        maximum: 600000,
        default: 5000,
        description:
          'A peer that answered no heartbeat for this long is removed from the view (a killed process is removed at once: its connections close). Smaller detects a stopped or cut-off member sooner but removes members that a loaded machine merely delays. A member that was itself stalled for half of this re-confirms its membership before serving again.',
      },
    },
  },
  discovery: {
    type: 'object',
    description: 'How members find each other.',
    additionalProperties: false,
    default: {},
    properties: {
      mode: {
        type: 'string',
        enum: ['static', 'dns', 'kubernetes'],
        default: 'static',
        description:
          '"static": the `members` list; "dns": resolve `dnsName`; "kubernetes": watch the EndpointSlices of `service`.',
      },
      members: {
        type: 'array',
        maxItems: 1024,
        default: [],
        description: 'host:port of every member (static mode), this one included or not.',
        items: { type: 'string', minLength: 3, description: 'host:port of a member.' },
      },
      dnsName: {
        type: 'string',
        minLength: 1,
        description: 'DNS name of the headless Service (dns mode).',
      },
      namespace: {
        type: 'string',
        minLength: 1,
        description: 'Namespace of the headless Service (kubernetes mode).',
      },
      service: {
        type: 'string',
        minLength: 1,
        description: 'Name of the headless Service (kubernetes mode).',
      },
      refreshIntervalSeconds: {
        type: 'integer',
        minimum: 1,
        maximum: 300,
        default: 5,
        description: 'How often the discovery source is polled (dns mode) or re-listed.',
      },
    },
  },
  credentials: {
    type: 'object',
    description:
      'Credentials clients and members must present (the operator fills them from a Secret). Omit for no authentication.',
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, description: 'User name.' },
      password: { type: 'string', minLength: 1, description: 'Password.' },
      token: {
        type: 'string',
        minLength: 16,
        description: 'Bearer token (HTTP API, Hazelcast token credentials, member transport).',
      },
    },
  },
  snapshot: {
    type: 'object',
    description: 'Warm-up snapshot written on graceful shutdown and loaded at start.',
    additionalProperties: false,
    default: {},
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: 'Snapshot file; omit to disable snapshots.',
      },
      loadOnStart: {
        type: 'boolean',
        default: true,
        description: 'Load the snapshot at start when the file exists.',
      },
      saveOnShutdown: {
        type: 'boolean',
        default: true,
        description: 'Write the snapshot on graceful shutdown.',
      },
    },
  },
  shutdown: {
    type: 'object',
    description: 'Graceful shutdown.',
    additionalProperties: false,
    default: {},
    properties: {
      handoffTimeoutSeconds: {
        type: 'integer',
        minimum: 0,
        maximum: 3600,
        default: 60,
        description:
          'On SIGTERM, time allowed to hand owned partitions to other members before exiting.',
      },
    },
  },
  logLevel: {
    type: 'string',
    enum: ['debug', 'info', 'warn', 'error'],
    default: 'info',
    description: 'Log level.',
  },
} as const;

/** The schema a node's config file is validated against (ajv). */
export const nodeConfigSchema = {
  $id: 'https://metadatacache.io/schemas/node-config.json',
  type: 'object',
  description: 'MetadataCache node configuration.',
  additionalProperties: false,
  properties: { ...cacheSettingsProperties, ...nodeOnlyProperties },
} as const;
