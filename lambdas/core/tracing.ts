import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing through Powertools Tracer: every Lambda entry point runs in a `## handler`
 * subsegment (cold start and service annotated, a thrown error recorded), every SDK client a
 * runtime builds is captured (runtime-assembly.ts), and steps annotate the fork id so one fork's
 * traces can be found. Tracer turns itself off outside the Lambda execution environment (offline,
 * tests), and then every call here is a no-op. Responses are not recorded: a step's state and an
 * API answer are the fork's business, and the X-Ray console is not where they belong.
 */
export const tracer = new Tracer({ serviceName: 'dbfork' });

/** Wraps a Lambda entry point in its handler subsegment. */
export function traced<I, O>(name: string, fn: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    if (!tracer.isTracingEnabled()) return fn(input);
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${name}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await fn(input);
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      if (segment && subsegment) {
        subsegment.close();
        tracer.setSegment(segment);
      }
    }
  };
}

/** A searchable annotation on the current trace (no-op when tracing is off). */
export function annotate(key: string, value: string): void {
  if (tracer.isTracingEnabled()) tracer.putAnnotation(key, value);
}

/** An SDK client whose calls appear as subsegments (returned as is when tracing is off). */
export function capture<C>(client: C): C {
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}
