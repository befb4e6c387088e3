/**
 * Message type ids (spec §3.1): `(service << 16) | (method << 8) | k`, k = 0 request,
 * 1 response, 2… events. Client service 0x00, Map 0x01.
 */
export const ClientMessageType = {
  AUTHENTICATION: 0x000100,
  AUTHENTICATION_CUSTOM: 0x000200,
  ADD_CLUSTER_VIEW_LISTENER: 0x000300,
  MEMBERS_VIEW_EVENT: 0x000302,
  PARTITIONS_VIEW_EVENT: 0x000303,
  CREATE_PROXY: 0x000400,
  DESTROY_PROXY: 0x000500,
  PING: 0x000b00,
  STATISTICS: 0x000c00,
  CREATE_PROXIES: 0x000e00,
  LOCAL_BACKUP_LISTENER: 0x000f00,
} as const;

export const MapMessageType = {
  PUT: 0x010100,
  GET: 0x010200,
  REMOVE: 0x010300,
  CONTAINS_KEY: 0x010600,
  DELETE: 0x010900,
  PUT_TRANSIENT: 0x010d00,
  PUT_IF_ABSENT: 0x010e00,
  SET: 0x010f00,
  ADD_ENTRY_LISTENER_TO_KEY: 0x011800,
  ADD_ENTRY_LISTENER: 0x011900,
  ENTRY_EVENT: 0x011902,
  REMOVE_ENTRY_LISTENER: 0x011a00,
  EVICT: 0x011e00,
  EVICT_ALL: 0x011f00,
  GET_ALL: 0x012300,
  SIZE: 0x012a00,
  IS_EMPTY: 0x012b00,
  PUT_ALL: 0x012c00,
  CLEAR: 0x012d00,
  FETCH_NEAR_CACHE_INVALIDATION_METADATA: 0x013d00,
  ADD_NEAR_CACHE_INVALIDATION_LISTENER: 0x013f00,
  INVALIDATION_EVENT: 0x013f02,
  BATCH_INVALIDATION_EVENT: 0x013f03,
  PUT_WITH_MAX_IDLE: 0x014400,
  PUT_TRANSIENT_WITH_MAX_IDLE: 0x014500,
  PUT_IF_ABSENT_WITH_MAX_IDLE: 0x014600,
  SET_WITH_MAX_IDLE: 0x014700,
} as const;

/** Response type by convention (the client only checks it is not 0, which means error). */
export const responseTypeOf = (requestType: number): number => requestType + 1;

export const hex = (type: number): string => `0x${type.toString(16).padStart(6, '0')}`;
