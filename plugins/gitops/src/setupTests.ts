import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// A whole GitOps tab renders lanes, dialogs and their requests; on a CI machine running every
// package's tests on 2 cores such a test can take longer than Jest's 5 s default, and a
// `findBy…` longer than Testing Library's 1 s.
jest.setTimeout(20_000);
configure({ asyncUtilTimeout: 5_000 });
