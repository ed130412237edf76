import { Injectable, UnauthorizedException } from '@nestjs/common';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { LoginDto, RegisterDto } from './dto/credentials.dto';
import { TokenPairResponse } from './dto/token-pair.response';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './passwords';
import { TokensService } from './tokens.service';

/** One message for an unknown email and a wrong password, so neither reveals which accounts exist. */
const INVALID_CREDENTIALS = 'Invalid email or password';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  async register({ email, password, name }: RegisterDto): Promise<User> {
    return this.users.insertUser({ email, name, passwordHash: await hashPassword(password) });
  }

  async login({ email, password }: LoginDto): Promise<TokenPairResponse> {
    const user = await this.users.selectOptionalUserByEmail(email);
    const matches = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    if (!user || !matches) throw new UnauthorizedException(INVALID_CREDENTIALS);
    return this.tokens.issueTokenPair(user);
  }

  /** Exchanges a refresh token, once, for a new pair carrying the user's current role. */
  async refresh(refreshToken: string): Promise<TokenPairResponse> {
    const userId = await this.tokens.consumeRefreshToken(refreshToken);
    const user = await this.users.selectOptionalUser(userId);
    if (!user) throw new UnauthorizedException('Invalid refresh token');
    return this.tokens.issueTokenPair(user);
  }

  logout(refreshToken: string, userId: string): Promise<void> {
    return this.tokens.revokeRefreshToken(refreshToken, userId);
  }
}
