import { SetMetadata } from '@nestjs/common';
import { Role } from '../users/role';

export const ROLES_KEY = 'roles';

/** Restricts a route to signed-in users with one of these roles (enforced by RolesGuard). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
