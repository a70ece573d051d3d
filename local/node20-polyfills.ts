/**
 * Polyfills for Node.js 20, the oldest Node.js dbfork's offline mode runs on.
 *
 * aws-local-stepfunctions 3 declares Node >= 22 but the only newer API it uses is
 * `Promise.withResolvers` (Node 22+, ES2024). Import this module before
 * aws-local-stepfunctions: `import './node20-polyfills.js';` — it changes nothing on
 * Node 22+ where the function exists.
 */

interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseConstructorWithResolvers = PromiseConstructor & {
  withResolvers?: <T>() => PromiseWithResolversShape<T>;
};

const promiseConstructor = Promise as PromiseConstructorWithResolvers;

if (typeof promiseConstructor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): PromiseWithResolversShape<T> {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
