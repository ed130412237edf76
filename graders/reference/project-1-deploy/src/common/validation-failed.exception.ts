import { BadRequestException, ValidationError, ValidationPipeOptions } from '@nestjs/common';

/** One invalid input field, as listed in an error body's `details`. */
export interface FieldError {
  field: string;
  message: string;
}

/** A 400 whose body lists every invalid field. */
export class ValidationFailedException extends BadRequestException {
  constructor(readonly details: FieldError[]) {
    super({ statusCode: 400, error: 'Bad Request', message: 'Validation failed', details });
  }
}

/** Flattens class-validator's tree into one entry per field, nested fields as `parent.child`. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints
      ? [{ field, message: Object.values(error.constraints).join('; ') }]
      : [];
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/** The global ValidationPipe's options: unknown fields are errors, not silently dropped. */
export const validationPipeOptions: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // One message per field: the first rule it breaks.
  stopAtFirstError: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new ValidationFailedException(toFieldErrors(errors)),
};
