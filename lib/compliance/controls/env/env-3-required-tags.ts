import { defineControl, Findings } from '../control';
import { modelBuckets, tagsOf } from '../template-readers';
import { isTaggableType } from './taggable-types';

export const REQUIRED_TAGS = ['environment', 'data-classification', 'owner', 'source-commit'] as const;

export const ENV_3 = defineControl({
  id: 'ENV-3',
  implementedBy: [
    { name: 'EnvironmentStage', file: 'lib/stages/environment-stage.ts' },
    { name: 'TagRawResources', file: 'lib/stages/tag-raw-resources.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'ENV-2, ENV-3: lifecycle protection and tags every taggable resource carries environment, data classification, owner and source commit tags',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'ENV-2, ENV-3: lifecycle protection and tags the source commit comes from the environment first, then git, and says so when unknown',
    },
    {
      file: 'test/lib/first-deploy/routine-deploy.test.ts',
      name: 'MODEL-1, ENV-3 a new commit changes nothing on the MFA-guarded model bucket or its policy, in every environment',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const commits = new Set<string>();
    let taggable = 0;
    const unknownTypes = new Set<string>();
    const guardedBuckets = new Set(modelBuckets(ctx.model));
    for (const h of ctx.model.resources()) {
      const can = isTaggableType(h.type);
      if (can === undefined) {
        if (!unknownTypes.has(h.type))
          f.bad(`${h.type}: not known whether CloudFormation can tag it (add it to taggable-types.ts)`, h);
        unknownTypes.add(h.type);
        continue;
      }
      if (!can) continue;
      taggable++;
      const tags = tagsOf(h) ?? {};
      // The MFA-guarded model bucket carries only tags that do not change per commit, so a routine deploy
      // never asks CloudFormation to update it (README: changes that need a person with MFA).
      const guarded = guardedBuckets.has(h);
      if (guarded) {
        f.check(
          !tags['source-commit'],
          'the MFA-guarded model bucket carries no per-commit tag: routine deploys leave it untouched',
          'the MFA-guarded model bucket carries source-commit, so every deploy would update it',
          h,
        );
      }
      const required = guarded ? REQUIRED_TAGS.filter((k) => k !== 'source-commit') : REQUIRED_TAGS;
      const missing = required.filter((k) => !tags[k]);
      if (missing.length)
        f.bad(`${h.type} lacks tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, h);
      if (tags['source-commit']) commits.add(tags['source-commit']);
    }
    if (taggable === 0) f.bad('no taggable resource in the templates');
    else f.ok(`all ${taggable} resources of taggable types carry ${REQUIRED_TAGS.join(', ')}`);
    if (commits.size) f.ok(`built from commit ${[...commits].join(', ')}`);
    if (commits.size > 1) f.bad(`resources name ${commits.size} different source commits`);
    return f.conclude('enforced', 'every resource of a taggable type carries the four required tags');
  },
});
