export async function up(knex) {
  await knex.schema.createTable('posts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('author_id').notNullable().references('id').inTable('users');
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true }).nullable();
  });
  await knex.schema.createTable('tags', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('name', 30).notNullable().unique();
  });
  await knex.schema.createTable('post_tags', (t) => {
    t.uuid('post_id').notNullable().references('id').inTable('posts');
    t.uuid('tag_id').notNullable().references('id').inTable('tags');
    t.primary(['post_id', 'tag_id']);
    t.index(['tag_id', 'post_id'], 'post_tags_tag_post_idx');
  });
  // Keyset indexes for the live rows: each matches one ORDER BY of GET /posts.
  await knex.raw(`
    CREATE INDEX posts_live_created_idx ON posts (created_at, id) WHERE deleted_at IS NULL;
    CREATE INDEX posts_live_title_idx ON posts (title, id) WHERE deleted_at IS NULL;
    CREATE INDEX posts_author_created_idx ON posts (author_id, created_at, id);
  `);
}

export async function down(knex) {
  await knex.schema.dropTableIfExists('post_tags');
  await knex.schema.dropTableIfExists('tags');
  await knex.schema.dropTableIfExists('posts');
}
