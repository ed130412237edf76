// Hand-written OpenAPI 3.0 document served at GET /docs-json.
const json = (schema) => ({ content: { 'application/json': { schema } } });
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const error = (description) => ({ description, ...json(ref('Error')) });
const bearer = [{ bearer: [] }];
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const body = (name) => ({ required: true, ...json(ref(name)) });
const adminErrors = { 401: error('No valid access token'), 403: error('Not an admin') };

export const openapi = {
  openapi: '3.0.3',
  info: { title: 'Backend Pro — Auth + Users Service (hardened)', version: '1.1.0' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      User: {
        type: 'object',
        required: ['id', 'email', 'name', 'role', 'createdAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          email: { type: 'string', format: 'email' },
          name: { type: 'string' },
          role: { type: 'string', enum: ['user', 'admin'] },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      Register: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'password', 'name'],
        properties: {
          email: { type: 'string', format: 'email' },
          password: { type: 'string', minLength: 8, maxLength: 72 },
          name: { type: 'string', minLength: 1, maxLength: 100 },
        },
      },
      Login: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'password'],
        properties: { email: { type: 'string', format: 'email' }, password: { type: 'string', minLength: 8, maxLength: 72 } },
      },
      RefreshRequest: { type: 'object', additionalProperties: false, required: ['refreshToken'], properties: { refreshToken: { type: 'string' } } },
      RoleChange: { type: 'object', additionalProperties: false, required: ['role'], properties: { role: { type: 'string', enum: ['user', 'admin'] } } },
      TokenPair: {
        type: 'object',
        required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn'],
        properties: {
          accessToken: { type: 'string' },
          refreshToken: { type: 'string' },
          tokenType: { type: 'string', enum: ['Bearer'] },
          expiresIn: { type: 'integer', description: 'seconds until the access token expires' },
        },
      },
      Error: {
        type: 'object',
        required: ['statusCode', 'error', 'message', 'path', 'timestamp'],
        properties: {
          statusCode: { type: 'integer' },
          error: { type: 'string' },
          message: { type: 'string' },
          path: { type: 'string' },
          timestamp: { type: 'string', format: 'date-time' },
          details: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  },
  paths: {
    '/auth/register': {
      post: {
        tags: ['auth'], summary: 'Register a user (role user)', requestBody: body('Register'),
        responses: { 201: { description: 'The new user', ...json(ref('User')) }, 400: error('Invalid body, or markup in name'), 409: error('Email already registered'), 429: error('More than 3 registrations from this client in the window') },
      },
    },
    '/auth/login': {
      post: {
        tags: ['auth'], summary: 'Sign in', requestBody: body('Login'),
        responses: {
          200: { description: 'A token pair', ...json(ref('TokenPair')) }, 400: error('Invalid body'), 401: error('Wrong email or password'),
          423: error('Locked for 15 minutes after 5 failed logins in a row'), 429: error('More than 5 logins from this client in the window'),
        },
      },
    },
    '/auth/refresh': {
      post: {
        tags: ['auth'], summary: 'Exchange a refresh token (once) for a new pair', requestBody: body('RefreshRequest'),
        responses: { 200: { description: 'A new token pair', ...json(ref('TokenPair')) }, 400: error('Invalid body'), 401: error('Unknown, used or revoked refresh token') },
      },
    },
    '/auth/logout': {
      post: {
        tags: ['auth'], summary: 'Revoke a refresh token', security: bearer, requestBody: body('RefreshRequest'),
        responses: { 204: { description: 'Revoked' }, 400: error('Invalid body'), 401: error('No valid access token') },
      },
    },
    '/auth/google': {
      get: { tags: ['auth'], summary: 'Start Login with Google (302 to Google, sets the state cookie)', responses: { 302: { description: 'To Google' } } },
    },
    '/auth/google/callback': {
      get: {
        tags: ['auth'], summary: 'Where Google sends the browser back',
        parameters: [
          { name: 'code', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'state', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'A token pair', ...json(ref('TokenPair')) }, 403: error('Missing or foreign state'), 401: error('Google refused the code') },
      },
    },
    '/users/me': {
      get: { tags: ['users'], summary: 'The current user', security: bearer, responses: { 200: { description: 'The user', ...json(ref('User')) }, 401: error('No valid access token') } },
    },
    '/users': {
      get: {
        tags: ['users'], summary: 'All users (admin)', security: bearer,
        responses: { 200: { description: 'Users', ...json({ type: 'array', items: ref('User') }) }, ...adminErrors },
      },
    },
    '/users/{id}': {
      get: {
        tags: ['users'], summary: 'One user (admin)', security: bearer, parameters: idParam,
        responses: { 200: { description: 'The user', ...json(ref('User')) }, 400: error('id is not a UUID'), ...adminErrors, 404: error('No such user') },
      },
    },
    '/users/{id}/role': {
      patch: {
        tags: ['users'], summary: "Change a user's role (admin)", security: bearer, parameters: idParam, requestBody: body('RoleChange'),
        responses: { 200: { description: 'The updated user', ...json(ref('User')) }, 400: error('Invalid id or body'), ...adminErrors, 404: error('No such user') },
      },
    },
  },
};
