/** Robustness assessment of a model before promotion (MODEL-7); see docs/model-lifecycle.md. */
export {
  ASSESSMENT_KIND,
  assessRobustness,
  DEFAULT_DECISION_THRESHOLD,
  DEFAULT_SETTINGS,
  parseAssessment,
  summarise,
  type AssessmentDetails,
  type AssessmentInput,
  type AssessmentSettings,
  type RobustnessAssessment,
} from './assess';
export { AssessmentInputError } from './context';
export { ASSESSMENT_METADATA_KEYS, assessmentMetadata, readAssessmentMetadata } from './metadata';
export {
  assessmentProblems,
  type AssessmentExpectation,
  type AssessmentSummary,
  type RobustnessThresholds,
} from './thresholds';
