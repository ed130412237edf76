import { Controller, Get, HttpCode, HttpStatus, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { Public } from '../common/public.decorator';
import { TokenPairResponse } from './dto/token-pair.response';
import { GoogleOAuthService, STATE_TTL_SECONDS } from './google-oauth.service';

const STATE_COOKIE = 'oauth_state';
// Lax, not Strict: the browser must send it on the top-level redirect back from Google.
const STATE_COOKIE_OPTIONS: CookieOptions = { httpOnly: true, secure: true, sameSite: 'lax', path: '/auth/google' };

@ApiTags('auth')
@Controller('auth/google')
export class GoogleAuthController {
  constructor(private readonly google: GoogleOAuthService) {}

  /** Sends the browser to Google's consent page, with a state tied to it by a cookie. */
  @Public()
  @Get()
  start(@Res() res: Response): void {
    const { state, url } = this.google.startAuthorization();
    res.cookie(STATE_COOKIE, state, { ...STATE_COOKIE_OPTIONS, maxAge: STATE_TTL_SECONDS * 1000 });
    res.redirect(302, url);
  }

  /** Where Google sends the browser back: the state is checked before Google is called. */
  @Public()
  @Get('callback')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairResponse })
  callback(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query('code') code?: string,
    @Query('state') state?: string,
    @Query('error') error?: string,
  ): Promise<TokenPairResponse> {
    res.clearCookie(STATE_COOKIE, STATE_COOKIE_OPTIONS);
    return this.google.finishAuthorization({
      code: typeof code === 'string' ? code : undefined,
      state: typeof state === 'string' ? state : undefined,
      error: typeof error === 'string' ? error : undefined,
      cookieState: readCookie(req, STATE_COOKIE),
    });
  }
}

/** One cookie's value from the Cookie header (no cookie-parser needed for one name). */
function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
