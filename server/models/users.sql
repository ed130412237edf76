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

-- BLOCK select_user_by_github_id
SELECT * FROM users WHERE github_id = $github_id;

-- BLOCK select_user_by_login
SELECT * FROM users WHERE login = $login;

-- BLOCK retire_login
-- Someone else holds this login now on GitHub (logins can be renamed and reused): the old
-- account keeps its history under a login nobody can sign in with.
UPDATE users SET login = login || '~' || id WHERE id = $id;

-- BLOCK update_github_user
UPDATE users
SET login = $login, name = $name, avatar_url = $avatar_url, github_id = $github_id, role = $role, last_seen_at = now()
WHERE id = $id
RETURNING *;

-- BLOCK insert_user
INSERT INTO users (login, name, avatar_url, github_id, role)
VALUES ($login, $name, $avatar_url, $github_id, $role)
RETURNING *;
