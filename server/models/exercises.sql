-- BLOCK upsert_exercise
INSERT INTO exercises (id, phase, title, summary, points, pass_mark, gradable, brief_md, front_matter, updated_at)
VALUES ($id, $phase, $title, $summary, $points, $pass_mark, $gradable, $brief_md, $front_matter, now())
ON CONFLICT (id) DO UPDATE
SET phase = EXCLUDED.phase, title = EXCLUDED.title, summary = EXCLUDED.summary, points = EXCLUDED.points,
    pass_mark = EXCLUDED.pass_mark, gradable = EXCLUDED.gradable, brief_md = EXCLUDED.brief_md,
    front_matter = EXCLUDED.front_matter, updated_at = now();

-- BLOCK select_exercises
SELECT * FROM exercises ORDER BY phase, id;

-- BLOCK select_exercise
SELECT * FROM exercises WHERE id = $id;
