import { registerHooks } from 'node:module';

/**
 * Lets Node run the TypeScript sources directly (`node --import ./…/typescript-imports.ts`): Node 24
 * strips the types itself, but the sources import each other as `./name.js`, the name the compiled
 * file will have, so a `.js` import that does not exist is resolved to the `.ts` beside it.
 */
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
      return nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context);
    }
  },
});
