import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config';
import { Role } from '../users/role';
import { UsersService } from '../users/users.service';
import { hashPassword, verifyPassword } from './passwords';

/** Makes sure the account named by ADMIN_EMAIL exists, is an admin and has ADMIN_PASSWORD. */
@Injectable()
export class AdminAccountSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminAccountSeeder.name);

  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.admin;
    if (!admin) return;

    const existing = await this.users.selectOptionalUserByEmail(admin.email);
    if (!existing) {
      await this.users.insertUser({
        email: admin.email,
        name: 'Administrator',
        passwordHash: await hashPassword(admin.password),
        role: Role.Admin,
      });
      this.logger.log(`Created admin account ${admin.email}`);
      return;
    }
    if (existing.role !== Role.Admin) {
      await this.users.updateRole(existing.id, Role.Admin);
      this.logger.log(`Promoted ${admin.email} to admin`);
    }
    if (!(await verifyPassword(admin.password, existing.passwordHash))) {
      await this.users.updatePasswordHash(existing, await hashPassword(admin.password));
      this.logger.log(`Reset the password of ${admin.email} from ADMIN_PASSWORD`);
    }
  }
}
