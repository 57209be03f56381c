/** The planner moved to infra/booking (the API plans and holds a booking's slot itself). */
export { createBookingPlanner } from '../infra/booking/booking-planner';
