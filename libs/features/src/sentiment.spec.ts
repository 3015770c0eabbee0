import { detectLanguage, textSentiment } from './sentiment';

describe('review text sentiment', () => {
  it.each([
    ['Love it, great quality and fast delivery', 'en'],
    ['Broken on arrival, very disappointed', 'en'],
    ['Produto chegou antes do prazo, recomendo', 'pt'],
    ['Não gostei', 'pt'],
    ['Ótimo', 'pt'],
    ['péssimo', 'pt'],
    ['bom', 'pt'],
    ['good', 'en'],
    ['', 'en'],
  ])('detects the language of %j as %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it('scores English reviews, negation included', () => {
    expect(textSentiment('good', 'en')).toBe(0.612);
    expect(textSentiment('not good', 'en')).toBe(-0.612);
    expect(textSentiment("I didn't like it, it broke after two days.", 'en')).toBeLessThan(-0.5);
    expect(textSentiment('Love it, great quality and fast delivery')).toBeGreaterThan(0.8);
    expect(textSentiment('Broken on arrival, very disappointed')).toBeLessThan(-0.5);
  });

  it('scores Brazilian Portuguese reviews, negation, missing accents and inflections included', () => {
    expect(textSentiment('gostei', 'pt')).toBe(0.459);
    expect(textSentiment('não gostei', 'pt')).toBe(-0.459);
    expect(textSentiment('nao gostei')).toBe(-0.459);
    expect(textSentiment('Produto chegou quebrado, péssimo')).toBeLessThan(-0.5);
    expect(textSentiment('produto não é bom')).toBeLessThan(-0.5);
    expect(textSentiment('otimo produto')).toBe(textSentiment('ótimo produto'));
    expect(textSentiment('Não chegou meu produto')).toBeLessThan(0);
    expect(textSentiment('Recebi bem antes do prazo estipulado.')).toBeGreaterThan(0.5);
    expect(textSentiment('sem problemas')).toBeGreaterThan(0);
  });

  it('ends a negation at punctuation', () => {
    expect(textSentiment('não gostei. ótimo', 'pt')).toBe(0.25); // -2 + 3 = 1 -> 1 / sqrt(1 + 15)
    expect(textSentiment('não gostei ótimo', 'pt')).toBe(-0.791); // -2 - 3 = -5 -> -5 / sqrt(25 + 15)
  });

  it('stays in [-1, 1], neutral for text without known words', () => {
    expect(textSentiment('O pedido 123 foi entregue no endereço')).toBeGreaterThanOrEqual(0);
    expect(textSentiment('xyz qwerty', 'en')).toBe(0);
    const long = 'excellent '.repeat(500);
    expect(textSentiment(long)).toBeLessThanOrEqual(1);
    expect(textSentiment('terrible '.repeat(500))).toBeGreaterThanOrEqual(-1);
  });
});
