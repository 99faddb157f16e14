import '@testing-library/jest-dom';

// A whole GitOps tab renders lanes, dialogs and their requests; on a CI machine running every
// package's tests on 2 cores such a test can take longer than Jest's 5 s default.
jest.setTimeout(20_000);
