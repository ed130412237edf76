import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailedException } from './validation-failed.exception';

/** Like ParseUUIDPipe, but its 400 names the parameter in `details` like any validation error. */
@Injectable()
export class UuidParamPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && isUUID(value)) return value;
    const field = metadata.data ?? 'id';
    throw new ValidationFailedException([{ field, message: `${field} must be a UUID` }]);
  }
}
