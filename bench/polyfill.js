'use strict';
// PostGraphile 5 targets Node 22; on Node 20 the one missing piece is Promise.withResolvers.
// Loaded with `node -r ./bench/polyfill.js` before PostGraphile, in its own process only.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
