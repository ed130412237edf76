-- BLOCK upsert_user
INSERT INTO users (login, name, avatar_url, github_id, role)
VALUES ($login, $name, $avatar_url, $github_id, $role)
ON CONFLICT (login) DO UPDATE
SET name = COALESCE(EXCLUDED.name, users.name),
    avatar_url = COALESCE(EXCLUDED.avatar_url, users.avatar_url),
    github_id = COALESCE(EXCLUDED.github_id, users.github_id),
    role = EXCLUDED.role,
    last_seen_at = now()
RETURNING *;

-- BLOCK select_user_by_id
SELECT * FROM users WHERE id = $id;
