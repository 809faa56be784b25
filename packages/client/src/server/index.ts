/**
 * @gatehouse/client/server: verify Gatehouse access tokens in a product app's backend, locally
 * against the published JWKS, and guard routes or a Next.js middleware with them.
 */
export {
  AccessTokenError,
  createAccessTokenVerifier,
  GatehouseConfigError,
  verifyAccessToken,
  type AccessTokenClaims,
  type AccessTokenErrorCode,
  type AccessTokenVerifier,
  type VerifyAccessTokenOptions,
  type VerifyAccessTokenResult,
} from "./verify";
export {
  accessTokenErrorResponse,
  accessTokenOf,
  authenticateRequest,
  gatehouseMiddleware,
  withGatehouseAuth,
  type GatehouseAuth,
  type GatehouseAuthOptions,
  type GatehouseMiddlewareOptions,
  type RequestLike,
} from "./middleware";
