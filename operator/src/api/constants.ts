/** Names shared by the CRD, the builders and the runtime. */
export const GROUP = 'metadatacache.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'MetadataCache';
export const PLURAL = 'metadatacaches';
export const SINGULAR = 'metadatacache';
export const SHORT_NAME = 'mdc';

/** The one field manager every server-side apply of the operator uses. */
export const FIELD_MANAGER = 'metadatacache-operator';

export const DEFAULT_IMAGE_REPOSITORY = 'metadatacache/cache-node';
export const OPERATOR_VERSION = '0.1.0';
export const DEFAULT_IMAGE = `${DEFAULT_IMAGE_REPOSITORY}:${OPERATOR_VERSION}`;

/** Ports of a cache node (binary protocol and HTTP API). */
export const PROTOCOL_PORT = 5701;
export const HTTP_PORT = 8080;

/** Annotations the operator writes. */
export const ANNOTATIONS = {
  /** Hash of the restart-relevant node config; a change rolls the pods. */
  configChecksum: `${GROUP}/config-checksum`,
  /** Hash of the credentials in the auth Secret; new credentials roll the pods. */
  authChecksum: `${GROUP}/auth-checksum`,
  /** Hash of the desired object, so unchanged children are not re-applied. */
  desiredHash: `${GROUP}/desired-hash`,
  /** Marks a Secret the operator generated (and therefore never regenerates). */
  generated: `${GROUP}/generated`,
} as const;

/** Grace beyond the node's hand-off timeout before the kubelet kills a pod. */
export const TERMINATION_GRACE_MARGIN_SECONDS = 30;
