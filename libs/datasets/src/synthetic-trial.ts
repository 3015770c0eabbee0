/**
 * A small synthetic trial in the Hillstrom layout (quoted `history_segment` with a comma): three arms at random; the
 * women's e-mail lifts visits of customers who bought women's items, the men's e-mail everyone's a little. Seeded; for tests and demos.
 */
export function syntheticHillstromCsv(rows: number, seed = 1): string {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines = ['recency,history_segment,history,mens,womens,zip_code,newbie,channel,segment,visit,conversion,spend'];
  for (let i = 0; i < rows; i++) {
    const womens = random() < 0.5 ? 1 : 0;
    const mens = random() < 0.5 ? 1 : 0;
    const segment = ['Mens E-Mail', 'Womens E-Mail', 'No E-Mail'][Math.floor(random() * 3)];
    const lift = segment === 'Womens E-Mail' ? (womens ? 0.3 : 0) : segment === 'Mens E-Mail' ? 0.05 : 0;
    const visit = random() < 0.1 + lift ? 1 : 0;
    const conversion = visit && random() < 0.2 ? 1 : 0;
    const history = (30 + random() * 900).toFixed(2);
    const zip = ['Rural', 'Surburban', 'Urban'][Math.floor(random() * 3)];
    const channel = ['Multichannel', 'Phone', 'Web'][Math.floor(random() * 3)];
    const spend = conversion ? (20 + random() * 200).toFixed(2) : '0';
    lines.push(
      `${1 + Math.floor(random() * 12)},"3) $200 - $350",${history},${mens},${womens},${zip},${random() < 0.5 ? 1 : 0},${channel},${segment},${visit},${conversion},${spend}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
