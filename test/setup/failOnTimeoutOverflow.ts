/**
 * @module Test setup: a host timer given a delay setTimeout cannot hold fires after 1 ms and Node
 * only warns (TimeoutOverflowWarning); in tests that warning is an error, so a regression fails the run.
 */
process.on('warning', (warning) => {
  if (warning.name === 'TimeoutOverflowWarning') throw new Error(`a host timer overflowed setTimeout: ${warning.message}`);
});
