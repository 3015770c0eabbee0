/** Redis Cluster's hash slot of a key (CRC16 of its hash tag or whole name, mod 16384); ioredis's own dependency. */
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string | Buffer): number;
}
