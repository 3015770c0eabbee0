export * from './customer-state';
export * from './feature-vector';
export * from './batch';
export { detectLanguage, textSentiment, type SentimentLanguage } from './sentiment';
