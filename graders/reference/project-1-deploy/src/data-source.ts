import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './config';
import { buildDataSourceOptions } from './database/database.options';

/** Used by the TypeORM CLI only: `typeorm migration:run -d dist/data-source.js`. */
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig()));
