import { replayScenarios } from './replay.js'

replayScenarios(0, 2)
