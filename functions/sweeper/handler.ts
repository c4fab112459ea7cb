// PLACEHOLDER until the function lands
export const handler = async () => ({});
