import nx from '@nx/eslint-plugin';

/** Every kind of lib: what apps, tools and infrastructure libs may import (never an app). */
const ANY_LIB = ['type:contracts', 'type:util', 'type:domain', 'type:infra', 'type:data-access'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '.infra',
      '.nx',
      'coverage',
      'reports',
      'libs/db/src/generated',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      // Apps may import libs; domain libs import no infra; nothing imports an app.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ANY_LIB },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ANY_LIB },
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:util',
                'type:domain',
                'type:infra',
                'type:data-access',
              ],
            },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:domain'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
