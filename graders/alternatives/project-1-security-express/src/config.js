// Every setting the app reads from the environment, read once at boot.
const env = process.env;

function required(name) {
  const value = env[name];
  if (!value) throw new Error(`Missing required env var ${name}`);
  return value;
}

export const config = {
  port: Number(env.PORT ?? 3000),
  production: env.NODE_ENV === 'production',
  jwtSecret: required('JWT_SECRET'),
  redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  rateLimitWindowMs: Math.max(1, Number(env.RATE_LIMIT_WINDOW_SECONDS ?? 60)) * 1000,
  corsOrigin: env.CORS_ORIGIN ?? '',
  google: {
    clientId: env.GOOGLE_CLIENT_ID ?? '',
    clientSecret: env.GOOGLE_CLIENT_SECRET ?? '',
    callbackUrl: env.GOOGLE_CALLBACK_URL ?? '',
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: env.GOOGLE_TOKEN_URL || 'https://oauth2.googleapis.com/token',
    userinfoUrl: env.GOOGLE_USERINFO_URL || 'https://openidconnect.googleapis.com/v1/userinfo',
  },
};
