import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { Role } from './role';
import { User } from './user.entity';

const UNIQUE_VIOLATION = '23505';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role?: Role;
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Creates a user; a taken email (in any case) is a 409. */
  async insertUser(newUser: NewUser): Promise<User> {
    if (await this.selectOptionalUserByEmail(newUser.email)) {
      throw new ConflictException('Email is already registered');
    }
    try {
      return await this.users.save(this.users.create({ role: Role.User, ...newUser }));
    } catch (error) {
      // Two registrations of one email racing past the check above.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictException('Email is already registered');
      }
      throw error;
    }
  }

  selectOptionalUserByEmail(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .where('lower(user.email) = lower(:email)', { email })
      .getOne();
  }

  selectOptionalUser(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async selectUser(id: string): Promise<User> {
    const user = await this.selectOptionalUser(id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  selectUsers(): Promise<User[]> {
    return this.users.find({ order: { createdAt: 'ASC' } });
  }

  async updateRole(id: string, role: Role): Promise<User> {
    const user = await this.selectUser(id);
    user.role = role;
    return this.users.save(user);
  }

  async updatePasswordHash(user: User, passwordHash: string): Promise<User> {
    user.passwordHash = passwordHash;
    return this.users.save(user);
  }
}
