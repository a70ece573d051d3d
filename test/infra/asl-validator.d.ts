// asl-validator 4 ships no type declarations; this is the shape of its CommonJS export.
declare module 'asl-validator' {
  interface AslValidationError {
    readonly message: string;
    readonly [key: string]: unknown;
  }
  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly AslValidationError[];
    errorsText(separator?: string): string;
  }
  function aslValidator(
    definition: unknown,
    options?: { readonly checkPaths?: boolean; readonly checkArn?: boolean },
  ): AslValidationResult;
  export = aslValidator;
}
