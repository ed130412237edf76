import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config';
import { Order } from '../orders/order.entity';
import { Payment } from '../payments/payment.entity';
import { Product } from '../products/product.entity';
import { CreateProductsOrdersPayments1767312000000 } from './migrations/1767312000000-create-products-orders-payments';

/** TypeORM options shared by the app and the migration CLI. The schema comes from migrations only. */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    ...database,
    entities: [Product, Order, Payment],
    migrations: [CreateProductsOrdersPayments1767312000000],
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Payments hold a connection for a short transaction each; bursts queue here, not in PostgreSQL.
    extra: { max: 10 },
  };
}
