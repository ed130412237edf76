-- BLOCK select_link_for_user
SELECT * FROM repo_links WHERE user_id = $user_id;

-- BLOCK select_link_by_repo
SELECT * FROM repo_links WHERE lower(repo_full_name) = lower($repo_full_name);

-- BLOCK select_link_by_id
SELECT * FROM repo_links WHERE id = $id;

-- BLOCK upsert_link
-- A new link gets the secret given; relinking to another repository keeps the secret.
INSERT INTO repo_links (user_id, repo_full_name, webhook_secret)
VALUES ($user_id, $repo_full_name, $webhook_secret)
ON CONFLICT (user_id) DO UPDATE
SET repo_full_name = EXCLUDED.repo_full_name,
    github_hook_id = CASE WHEN lower(repo_links.repo_full_name) = lower(EXCLUDED.repo_full_name) THEN repo_links.github_hook_id END,
    updated_at = now()
RETURNING *;

-- BLOCK delete_link_phases
DELETE FROM repo_link_phases WHERE link_id = $link_id;

-- BLOCK insert_link_phase
INSERT INTO repo_link_phases (link_id, exercise_id, branch, subdir)
VALUES ($link_id, $exercise_id, $branch, $subdir);

-- BLOCK select_link_phases
SELECT p.*, e.phase, e.title
FROM repo_link_phases p JOIN exercises e ON e.id = p.exercise_id
WHERE p.link_id = $link_id
ORDER BY e.phase, e.id;

-- BLOCK update_link_secret
UPDATE repo_links SET webhook_secret = $webhook_secret, updated_at = now() WHERE id = $id RETURNING *;

-- BLOCK update_link_hook
UPDATE repo_links SET github_hook_id = $github_hook_id, updated_at = now() WHERE id = $id;

-- BLOCK delete_link
DELETE FROM repo_links WHERE user_id = $user_id;

-- BLOCK insert_delivery
-- GitHub redelivers with the same X-GitHub-Delivery: the second insert returns nothing.
INSERT INTO webhook_deliveries (delivery_id, event, repo, outcome)
VALUES ($delivery_id, $event, $repo, 'received')
ON CONFLICT (delivery_id) DO NOTHING
RETURNING delivery_id;

-- BLOCK update_delivery_outcome
UPDATE webhook_deliveries SET outcome = $outcome WHERE delivery_id = $delivery_id;

-- BLOCK select_recent_deliveries
SELECT * FROM webhook_deliveries WHERE lower(repo) = lower($repo) ORDER BY received_at DESC LIMIT $limit;

-- BLOCK delete_delivery
-- Processing failed: forget the delivery so that GitHub's redelivery is processed.
DELETE FROM webhook_deliveries WHERE delivery_id = $delivery_id;
