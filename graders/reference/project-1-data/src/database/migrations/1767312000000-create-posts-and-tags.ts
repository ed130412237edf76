import { MigrationInterface, QueryRunner } from 'typeorm';

/** Posts, tags and their join table, with the indexes the list endpoint's queries need. */
export class CreatePostsAndTags1767312000000 implements MigrationInterface {
  name = 'CreatePostsAndTags1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE posts (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        author_id  uuid         NOT NULL REFERENCES users (id),
        title      varchar(200) NOT NULL,
        body       text         NOT NULL,
        created_at timestamptz  NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )
    `);
    // Keyset pagination walks (sort key, id): each sort has an index in that order.
    await queryRunner.query(`CREATE INDEX posts_created_at_id_idx ON posts (created_at, id)`);
    await queryRunner.query(`CREATE INDEX posts_title_id_idx ON posts (title, id)`);
    // The foreign key, and the authorId filter under the default sort.
    await queryRunner.query(`CREATE INDEX posts_author_id_created_at_id_idx ON posts (author_id, created_at, id)`);
    await queryRunner.query(`
      CREATE TABLE tags (
        id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(30) NOT NULL,
        CONSTRAINT tags_name_key UNIQUE (name)
      )
    `);
    await queryRunner.query(`
      CREATE TABLE post_tags (
        post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        tag_id  uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
        PRIMARY KEY (post_id, tag_id)
      )
    `);
    // The primary key serves post_id lookups; the tag filter needs tag_id first.
    await queryRunner.query(`CREATE INDEX post_tags_tag_id_idx ON post_tags (tag_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE post_tags`);
    await queryRunner.query(`DROP TABLE tags`);
    await queryRunner.query(`DROP TABLE posts`);
  }
}
