import { RegistryError } from './errors';

/** The XGBoost version the scorer's model format targets (python xgboost 1.7.x). */
export const DEFAULT_XGBOOST_VERSION = '1.7-1';

/**
 * Accounts that host the SageMaker built-in XGBoost container (`sagemaker-xgboost`, 1.x tags) per
 * commercial region, as published for the SageMaker Python SDK's image URI lookup. A region missing here
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
