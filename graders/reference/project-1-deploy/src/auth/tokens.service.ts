import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config';
import { AuthenticatedUser } from '../common/current-user.decorator';
import { Role } from '../users/role';
import { User } from '../users/user.entity';
import { TokenPairResponse } from './dto/token-pair.response';
import { RefreshToken } from './refresh-token.entity';

/** Access and refresh tokens are told apart by this claim as well as by their secrets. */
type TokenType = 'access' | 'refresh';

interface AccessClaims {
  sub: string;
  role: Role;
  typ?: TokenType;
}

interface RefreshClaims {
  sub: string;
  jti: string;
  typ: TokenType;
}

const ALGORITHM = 'HS256';

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Issues and checks tokens. Access tokens are stateless JWTs; refresh tokens are JWTs too,
 * but each is also a row in refresh_tokens so that it can be used once and revoked.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
  ) {}

  async issueTokenPair(user: User): Promise<TokenPairResponse> {
    const { accessSecret, refreshSecret, accessTtlSeconds, refreshTtlSeconds } = this.config.jwt;
    const refreshId = randomUUID();

    const accessToken = await this.jwt.signAsync(
      { sub: user.id, role: user.role, typ: 'access' },
      // A jti makes every access token unique, even two issued in the same second.
      { secret: accessSecret, algorithm: ALGORITHM, expiresIn: accessTtlSeconds, jwtid: randomUUID() },
    );
    const refreshToken = await this.jwt.signAsync(
      { sub: user.id, typ: 'refresh' },
      { secret: refreshSecret, algorithm: ALGORITHM, expiresIn: refreshTtlSeconds, jwtid: refreshId },
    );
    await this.refreshTokens.insert({
      id: refreshId,
      userId: user.id,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + refreshTtlSeconds * 1000),
    });

    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: accessTtlSeconds };
  }

  /** The user an access token speaks for; 401 unless it is a valid, unexpired access token. */
  async verifyAccessToken(token: string): Promise<AuthenticatedUser> {
    const claims = await this.verify<AccessClaims>(token, this.config.jwt.accessSecret);
    // Refuse refresh tokens even if both secrets were set to one value. A missing `typ` is
    // accepted: the contract only promises `sub` and `role`, and only we hold JWT_SECRET.
    if (claims.typ === 'refresh' || typeof claims.sub !== 'string' || !Object.values(Role).includes(claims.role)) {
      throw new UnauthorizedException('Invalid access token');
    }
    return { id: claims.sub, role: claims.role };
  }

  /**
   * Marks a refresh token as used and returns its user's id. The update is conditional,
   * so of two concurrent uses of one token only one succeeds.
   */
  async consumeRefreshToken(token: string): Promise<string> {
    const claims = await this.verifyRefreshToken(token);
    const result = await this.refreshTokens
      .createQueryBuilder()
      .update()
      .set({ usedAt: () => 'now()' })
      .where('id = :id AND token_hash = :hash', { id: claims.jti, hash: sha256(token) })
      .andWhere('used_at IS NULL AND revoked_at IS NULL AND expires_at > now()')
      .execute();
    if (result.affected !== 1) throw new UnauthorizedException('Invalid refresh token');
    return claims.sub;
  }

  /** Revokes one of `userId`'s refresh tokens; revoking it twice is not an error. */
  async revokeRefreshToken(token: string, userId: string): Promise<void> {
    const claims = await this.verifyRefreshToken(token);
    if (claims.sub !== userId) throw new UnauthorizedException('Invalid refresh token');
    await this.refreshTokens
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND user_id = :userId AND revoked_at IS NULL', { id: claims.jti, userId })
      .execute();
  }

  private async verifyRefreshToken(token: string): Promise<RefreshClaims> {
    const claims = await this.verify<RefreshClaims>(token, this.config.jwt.refreshSecret);
    if (claims.typ !== 'refresh' || typeof claims.sub !== 'string' || typeof claims.jti !== 'string') {
      throw new UnauthorizedException('Invalid refresh token');
    }
    return claims;
  }

  /** Checks signature (HS256 only: `alg: none` is refused) and expiry. */
  private async verify<T extends object>(token: string, secret: string): Promise<T> {
    try {
      return await this.jwt.verifyAsync<T>(token, { secret, algorithms: [ALGORITHM] });
    } catch {
      throw new UnauthorizedException('Invalid or expired token');
    }
  }
}
