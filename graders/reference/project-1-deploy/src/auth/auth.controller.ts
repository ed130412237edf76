import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '../common/current-user.decorator';
import { Public } from '../common/public.decorator';
import { toUserResponse, UserResponse } from '../users/dto/user.response';
import { AuthService } from './auth.service';
import { LoginDto, RefreshTokenDto, RegisterDto } from './dto/credentials.dto';
import { TokenPairResponse } from './dto/token-pair.response';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly authService: AuthService) {}

  @Public()
  @Post('register')
  @ApiCreatedResponse({ type: UserResponse })
  async register(@Body() body: RegisterDto): Promise<UserResponse> {
    return toUserResponse(await this.authService.register(body));
  }

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairResponse })
  login(@Body() body: LoginDto): Promise<TokenPairResponse> {
    return this.authService.login(body);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairResponse })
  refresh(@Body() body: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.authService.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'The refresh token is revoked' })
  logout(@Body() body: RefreshTokenDto, @CurrentUser() user: AuthenticatedUser): Promise<void> {
    return this.authService.logout(body.refreshToken, user.id);
  }
}
