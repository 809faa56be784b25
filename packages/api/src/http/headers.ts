/** Header the front server sets (after dropping any client-sent one) so Next routes know the IP. */
export const CLIENT_IP_HEADER = "x-gatehouse-client-ip";
export const REQUEST_ID_HEADER = "x-request-id";
