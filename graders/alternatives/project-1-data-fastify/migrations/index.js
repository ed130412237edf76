import * as users from './001_users.js';
import * as posts from './002_posts.js';

export const migrations = [
  { name: '001_users', ...users },
  { name: '002_posts', ...posts },
];
