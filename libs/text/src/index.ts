export * from './split';
export * from './metrics';
export * from './tfidf';
export * from './softmax';
export * from './review-sentiment';
export * from './evaluation';
export * from './artifact';
