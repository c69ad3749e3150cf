import { RegistryError } from './errors';

/**
 * Accounts that host SageMaker's built-in XGBoost container (`sagemaker-xgboost`) per commercial
 * region, from the SageMaker Python SDK's image lookup table (`image_uri_config/xgboost.json`, the same
 * account for every tag from 0.90-1 to 1.7-1). AWS documents the 3.0 release (tag 3.0-5) in the same
 * repository (the XGBoost algorithm page lists 1.0 to 1.7 and 3.0; the GovCloud guide shows
 * `sagemaker-xgboost:3.0-5` under the same registry account as the 1.x tags). A region missing here
 * fails loudly instead of guessing an account; pass an explicit image for it.
 */
export const XGBOOST_IMAGE_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/** One official serving image and the XGBoost release inside it. */
export interface XgboostServingImage {
  /** Tag of `sagemaker-xgboost`, e.g. `1.7-1`. */
  readonly tag: string;
  /** XGBoost major and minor version the container runs. */
  readonly xgboost: readonly [number, number];
}

/**
 * The official images this project selects from, oldest first. XGBoost loads models written by its
 * own or an older release, and does not promise to read newer ones; so an image reads a model
 * correctly when the model's writer version (major.minor) is at most the image's. Known to mis-score
 * otherwise: 1.7-1 loads a 3.1+ model without error but ignores its vector `base_score` (keeps 0.5).
 * No source could be found for a newer official tag (3.2 or later); add it here when AWS lists it.
 */
export const XGBOOST_SERVING_IMAGES: readonly XgboostServingImage[] = [
  { tag: '1.7-1', xgboost: [1, 7] },
  { tag: '3.0-5', xgboost: [3, 0] },
];

/** The image the scorer's original 1.x model format targeted; kept for models written by 1.x. */
export const DEFAULT_XGBOOST_VERSION = '1.7-1';

function versionParts(version: string, what: string): [number, number] {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  if (!match) throw new RegistryError('usage', `${what} '${version}' is not an XGBoost version like 3.1.3`);
  return [Number(match[1]), Number(match[2])];
}

function reads(image: XgboostServingImage, writer: [number, number]): boolean {
  return writer[0] < image.xgboost[0] || (writer[0] === image.xgboost[0] && writer[1] <= image.xgboost[1]);
}

export function xgboostImageUri(region: string, version: string = DEFAULT_XGBOOST_VERSION): string {
  const account = XGBOOST_IMAGE_ACCOUNTS[region];
  if (!account) {
    throw new RegistryError(
      'usage',
      `no built-in SageMaker XGBoost image is known for region '${region}'; pass the container image URI ` +
        `explicitly (known regions: ${Object.keys(XGBOOST_IMAGE_ACCOUNTS).join(', ')})`,
    );
  }
  if (!/^\d+\.\d+-\d+$/.test(version)) {
    throw new RegistryError('usage', `XGBoost container version '${version}' must look like '1.7-1'`);
  }
  return `${account}.dkr.ecr.${region}.amazonaws.com/sagemaker-xgboost:${version}`;
}

/** The oldest official image that reads a model written by `writerVersion`; throws when none does. */
export function servingImageTagFor(writerVersion: string): string {
  const writer = versionParts(writerVersion, 'model writer version');
  const image = XGBOOST_SERVING_IMAGES.find((i) => reads(i, writer));
  if (!image) {
    const newest = XGBOOST_SERVING_IMAGES[XGBOOST_SERVING_IMAGES.length - 1];
    throw new RegistryError(
      'incompatibleImage',
      `no official SageMaker XGBoost image is known to read a model written by XGBoost ${writerVersion}: the newest, ` +
        `sagemaker-xgboost:${newest.tag}, runs XGBoost ${newest.xgboost.join('.')}, and XGBoost does not promise to read ` +
        'models from newer releases. Serve it in embedded mode (the scorer reads it), or pass an image built with ' +
        `XGBoost ${writer.join('.')} or later (its answers are verified at deploy time)`,
    );
  }
  return image.tag;
}

/** The tag of an official `sagemaker-xgboost` image URI, or undefined for any other image. */
export function officialXgboostTag(imageUri: string): string | undefined {
  return /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/sagemaker-xgboost:(\d+\.\d+-\d+)(?:-[\w.-]+)?$/.exec(
    imageUri,
  )?.[1];
}

/**
 * Refuses an official image known not to read the model correctly, naming the image to use. Other
 * images (built by the team) cannot be judged from their URI: they pass here and are proven by the
 * served-answer check after deployment.
 */
export function checkImageReadsModel(
  imageUri: string,
  writerVersion: string,
  where = 'the serving image',
): void {
  const tag = officialXgboostTag(imageUri);
  if (tag === undefined) return;
  const image = XGBOOST_SERVING_IMAGES.find((i) => i.tag === tag);
  const writer = versionParts(writerVersion, 'model writer version');
  const imageVersion = image?.xgboost ?? versionParts(tag.replace(/-\d+$/, ''), 'image tag');
  if (reads({ tag, xgboost: imageVersion }, writer)) return;
  const known =
    imageVersion[0] === 1 && writer[0] === 3 && writer[1] >= 1
      ? ' (XGBoost 1.7 loads such a model without error but ignores its vector base_score and keeps 0.5, so every probability is wrong)'
      : '';
  let advice: string;
  try {
    advice = `use sagemaker-xgboost:${servingImageTagFor(writerVersion)} instead`;
  } catch (error) {
    advice = (error as Error).message;
  }
  throw new RegistryError(
    'incompatibleImage',
    `${where} ${imageUri} runs XGBoost ${imageVersion.join('.')}, which does not read a model written by XGBoost ` +
      `${writerVersion} correctly${known}; ${advice}`,
  );
}
