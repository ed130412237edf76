import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProductsOrdersPayments1767312000000 implements MigrationInterface {
  name = 'CreateProductsOrdersPayments1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE products (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name        varchar(100) NOT NULL,
        price_cents integer      NOT NULL CHECK (price_cents > 0),
        created_at  timestamptz  NOT NULL DEFAULT now(),
        updated_at  timestamptz  NOT NULL DEFAULT now()
      )
    `);
    // Items are a snapshot taken when the order is created: later price changes never touch them.
    await queryRunner.query(`
      CREATE TABLE orders (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status      varchar(20) NOT NULL DEFAULT 'CREATED'
                    CHECK (status IN ('CREATED', 'PENDING_PAYMENT', 'PAID', 'FAILED', 'CANCELLED', 'REFUNDED')),
        items       jsonb       NOT NULL,
        total_cents integer     NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      CREATE TABLE payments (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id        uuid         NOT NULL REFERENCES orders (id),
        idempotency_key varchar(255) NOT NULL,
        request_hash    char(64)     NOT NULL,
        status          varchar(16)  NOT NULL DEFAULT 'PENDING'
                        CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED')),
        amount_cents    integer      NOT NULL,
        card_last4      char(4)      NOT NULL,
        attempts        integer      NOT NULL DEFAULT 0,
        failure_reason  varchar(32),
        created_at      timestamptz  NOT NULL DEFAULT now(),
        updated_at      timestamptz  NOT NULL DEFAULT now()
      )
    `);
    // The key is what makes a retried request a replay: concurrent duplicates collide here.
    await queryRunner.query(`CREATE UNIQUE INDEX payments_idempotency_key_key ON payments (idempotency_key)`);
    await queryRunner.query(`CREATE INDEX payments_order_id_idx ON payments (order_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE payments`);
    await queryRunner.query(`DROP TABLE orders`);
    await queryRunner.query(`DROP TABLE products`);
  }
}
