/** `/`: the sign-in landing for visitors, the course page for signed-in learners. */
import { Router } from 'express';
import { selectExercises } from '../../models/exercises';
import { selectProgressForUser } from '../../../core/models/submissions';
import { DISTINCTION_PERCENT, PHASE_STATUS_LABELS } from '../../lib/levels';
import { buildCourse } from './course';

export function homeRouter(): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const user = req.currentUser;
    if (!user) {
      res.render('landing', { title: 'Backend Pro — become a job-ready backend engineer' });
      return;
    }
    const [exercises, progress] = await Promise.all([selectExercises(), selectProgressForUser(user.id)]);
    res.render('course', {
      title: 'Your course — Backend Pro',
      course: buildCourse(exercises, progress),
      statusLabels: PHASE_STATUS_LABELS,
      distinctionPercent: DISTINCTION_PERCENT,
    });
  });
  return router;
}
