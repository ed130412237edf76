import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config';
import { RefreshToken } from '../auth/refresh-token.entity';
import { User } from '../users/user.entity';
import { CreateUsersAndRefreshTokens1767225600000 } from './migrations/1767225600000-create-users-and-refresh-tokens';

/** TypeORM options shared by the app and the migration CLI. The schema comes from migrations only. */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    ...database,
    entities: [User, RefreshToken],
    migrations: [CreateUsersAndRefreshTokens1767225600000],
    migrationsTransactionMode: 'each',
    synchronize: false,
    // A small pool: the service is light and the sandbox is memory-bound.
    extra: { max: 5 },
  };
}
